import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { t } from '../i18n';

/**
 * Sets the document title and renders the page heading (focused after navigation by the app); `actions` sit on
 * the heading's line (a phone's first screen has no room for a line of its own).
 */
export function Page({ title, heading, children, narrow = false, intro, actions }:
  { title: string; heading?: ComponentChildren; children: ComponentChildren; narrow?: boolean; intro?: ComponentChildren; actions?: ComponentChildren }) {
  useEffect(() => { document.title = t.app.pageTitle(title); }, [title]);
  const h1 = <h1 tabIndex={-1} class="page-title">{heading ?? title}</h1>;
  return (
    <div class={narrow ? 'page page--narrow' : 'page'}>
      {actions ? <div class="page-head">{h1}<div class="page-head__actions">{actions}</div></div> : h1}
      {intro && <p class="lead">{intro}</p>}
      {children}
    </div>
  );
}
