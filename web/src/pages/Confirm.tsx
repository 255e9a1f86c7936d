import { useEffect, useRef, useState } from 'preact/hooks';
import { api, isApiError } from '../api';
import { Page } from '../components/Page';
import { Loading } from '../components/forms';
import { t } from '../i18n';
import { navigate, route } from '../router';

export function Confirm() {
  const token = route.value.query.get('jeton');
  const [error, setError] = useState<{ title: string; detail: string } | null>(token ? null : { title: t.confirm.title, detail: t.confirm.missing });
  const started = useRef(false);
  useEffect(() => {
    if (!token || started.current) return;
    started.current = true;
    api.confirmEmail(token)
      .then(() => navigate('/double-authentification', { replace: true }))
      .catch((e) => setError({ title: isApiError(e) ? e.title : t.problems.unknown, detail: isApiError(e, 'invalid-token') ? t.confirm.failed : (isApiError(e) && e.detail) || t.confirm.failed }));
  }, [token]);
  return (
    <Page title={t.confirm.title} narrow>
      {error ? (
        <div class="error-summary" role="alert">
          <h2 class="error-summary__title">{error.title}</h2>
          <p>{error.detail}</p>
          <p><a href="/connexion">{t.enrol.toLogin}</a></p>
        </div>
      ) : <Loading label={t.confirm.working} />}
    </Page>
  );
}
