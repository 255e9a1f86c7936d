import { Page } from '../components/Page';
import { t } from '../i18n';

export function NotFound() {
  return (
    <Page title={t.notFound.title}>
      <p>{t.notFound.text}</p>
      <p><a href="/">{t.notFound.home}</a></p>
    </Page>
  );
}
