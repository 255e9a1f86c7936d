// ARIA tabs (automatic activation): one tab in the Tab order, arrows / Home / End move between tabs,
// the panel follows. The chosen tab is kept in the URL (?onglet=) so that reload and links keep it.
import type { ComponentChildren } from 'preact';
import { useRef } from 'preact/hooks';

export interface TabDef { key: string; label: string; badge?: ComponentChildren }

export function Tabs({ tabs, current, onChange, label, children, idPrefix = 'tab' }:
  { tabs: TabDef[]; current: string; onChange: (key: string) => void; label: string; children: ComponentChildren; idPrefix?: string }) {
  const listRef = useRef<HTMLDivElement>(null);
  const idx = Math.max(0, tabs.findIndex((x) => x.key === current));
  const go = (i: number) => {
    const n = (i + tabs.length) % tabs.length;
    onChange(tabs[n].key);
    listRef.current?.querySelectorAll<HTMLElement>('[role="tab"]')[n]?.focus();
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'ArrowRight') { e.preventDefault(); go(idx + 1); }
    else if (e.key === 'ArrowLeft') { e.preventDefault(); go(idx - 1); }
    else if (e.key === 'Home') { e.preventDefault(); go(0); }
    else if (e.key === 'End') { e.preventDefault(); go(tabs.length - 1); }
  };
  const active = tabs[idx];
  return (
    <div class="tabs">
      <div class="tabs__list" role="tablist" aria-label={label} ref={listRef} onKeyDown={onKey}>
        {tabs.map((x) => {
          const sel = x.key === active?.key;
          return (
            <button key={x.key} type="button" role="tab" id={`${idPrefix}-${x.key}`} aria-selected={sel ? 'true' : 'false'}
              aria-controls={sel ? `${idPrefix}-panel-${x.key}` : undefined} tabIndex={sel ? 0 : -1} class={sel ? 'tabs__tab is-active' : 'tabs__tab'}
              onClick={() => onChange(x.key)}>
              {x.label}{x.badge}
            </button>
          );
        })}
      </div>
      {active && (
        <div class="tabs__panel" role="tabpanel" id={`${idPrefix}-panel-${active.key}`} aria-labelledby={`${idPrefix}-${active.key}`} tabIndex={0}>
          {children}
        </div>
      )}
    </div>
  );
}
