// Service icons as inline SVG (no emoji font needed, inherit the text colour). Decorative only.
const paths: Record<string, string> = {
  directory: 'M6 3h11a2 2 0 0 1 2 2v14a2 2 0 0 1-2 2H6zM4 7h3M4 12h3M4 17h3M12.5 9.5a2 2 0 1 0 0-.01M9.5 16c.5-2 1.6-3 3-3s2.5 1 3 3',
  patients: 'M12 8a3 3 0 1 0 0-.01M6 20c.6-3.6 3-5.5 6-5.5s5.4 1.9 6 5.5M12 3v0',
  messages: 'M3 6h18v12H3zM3 6l9 7 9-7',
  agenda: 'M4 5h16v15H4zM4 10h16M8 3v4M16 3v4M8 14h2M12 14h2M8 17h2',
  pathways: 'M6 19a2 2 0 1 0 0-.01M18 7a2 2 0 1 0 0-.01M6 17V11a3 3 0 0 1 3-3h7M13 5l3 3-3 3',
  approvals: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM8 12.5l3 3 5-6',
  audit: 'M6 11h12v10H6zM8.5 11V8a3.5 3.5 0 0 1 7 0v3M12 15v2',
  home: 'M3 11.5 12 4l9 7.5M5.5 9.5V20h4.5v-6h4v6h4.5V9.5',
  profile: 'M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM4 21c.8-4 4-6 8-6s7.2 2 8 6',
  logout: 'M10 4H5v16h5M15 8l4 4-4 4M19 12H9',
  // Identity status: a shield with a check (validated / qualified), a dashed shield (not checked yet).
  idChecked: 'M12 3l7 3v6c0 4.5-3 7.5-7 9-4-1.5-7-4.5-7-9V6zM8.5 12l2.5 2.5 4.5-5',
  idUnchecked: 'M12 3l7 3v6c0 4.5-3 7.5-7 9-4-1.5-7-4.5-7-9V6zM12 8v5M12 16v.01',
  // An urgent message: a warning triangle; a search: a magnifier.
  urgent: 'M12 3 2 20h20zM12 9v5M12 17v.01',
  search: 'M10.5 17a6.5 6.5 0 1 0 0-13 6.5 6.5 0 0 0 0 13zM15.5 15.5 21 21',
};

export function ServiceIcon({ name, size = 28 }: { name: string; size?: number }) {
  return (
    <svg class="icon" viewBox="0 0 24 24" width={size} height={size} aria-hidden="true" focusable="false"
      fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">
      <path d={paths[name] ?? 'M12 12h.01'} />
    </svg>
  );
}
