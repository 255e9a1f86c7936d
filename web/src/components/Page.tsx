import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { t } from '../i18n';

/** Sets the document title and renders the page heading (focused after navigation by the app). */
export function Page({ title, heading, children, narrow = false, intro }:
  { title: string; heading?: ComponentChildren; children: ComponentChildren; narrow?: boolean; intro?: ComponentChildren }) {
  useEffect(() => { document.title = t.app.pageTitle(title); }, [title]);
  return (
    <div class={narrow ? 'page page--narrow' : 'page'}>
      <h1 tabIndex={-1} class="page-title">{heading ?? title}</h1>
      {intro && <p class="lead">{intro}</p>}
      {children}
    </div>
  );
}
