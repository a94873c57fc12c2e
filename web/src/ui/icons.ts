/**
 * Inline SVG icons (24×24, stroke = currentColor). Emoji would depend on the device having an
 * emoji font; these render the same everywhere, offline.
 */
const P: Record<string, string> = {
  water: '<path d="M12 22a7 7 0 0 0 7-7c0-2-1-3.9-3-5.5S12.5 5.5 12 3c-.5 2.5-2 4.9-4 6.5S5 13 5 15a7 7 0 0 0 7 7z"/>',
  charging: '<path d="M13 2 4 14h8l-1 8 9-12h-8l1-8z"/>',
  air_conditioning: '<path d="M12 2v20M2 12h20M5 5l14 14M19 5 5 19M9 3l3 3 3-3M9 21l3-3 3 3"/>',
  heating:
    '<path d="M8.5 14.5A2.5 2.5 0 0 0 11 12c0-1.4-.5-2-1-3-1.1-2.1-.2-4.1 2-6 .5 2.5 2 4.9 4 6.5s3 3.5 3 5.5a7 7 0 1 1-14 0c0-1.2.4-2.3 1-3a2.5 2.5 0 0 0 2.5 2.5z"/>',
  seating: '<path d="M6 11V5a1 1 0 0 1 1-1h10a1 1 0 0 1 1 1v6M4 11h16v5H4zM6 16v4M18 16v4"/>',
  microwave: '<rect x="2" y="5" width="20" height="14" rx="2"/><rect x="5" y="8" width="10" height="8" rx="1"/><path d="M18.5 9v.5M18.5 12v.5M18.5 15v.5"/>',
  first_aid: '<rect x="3" y="3" width="18" height="18" rx="3"/><path d="M12 8v8M8 12h8"/>',
  repair_tools: '<path d="M14.7 6.3a1 1 0 0 0 0 1.4l1.6 1.6a1 1 0 0 0 1.4 0l3.8-3.8a6 6 0 0 1-7.9 7.9l-6.9 6.9a2.1 2.1 0 0 1-3-3l6.9-6.9a6 6 0 0 1 7.9-7.9z"/>',
  umbrella: '<path d="M22 12a10 10 0 0 0-20 0zM12 12v7a2 2 0 0 0 4 0M12 2v1"/>',
  toilet:
    '<rect x="2" y="5" width="20" height="14" rx="3"/><text x="12" y="15.6" font-size="9" font-weight="700" text-anchor="middle" fill="currentColor" stroke="none" font-family="sans-serif">WC</text>',
  wifi: '<path d="M5 12.5a11 11 0 0 1 14 0M1.5 9a16 16 0 0 1 21 0M8.5 16a6 6 0 0 1 7 0M12 20h.01"/>',
  reading: '<path d="M4 19.5A2.5 2.5 0 0 1 6.5 17H20M6.5 2H20v20H6.5A2.5 2.5 0 0 1 4 19.5v-15A2.5 2.5 0 0 1 6.5 2z"/>',
  pin: '<path d="M20 10c0 6-8 12-8 12s-8-6-8-12a8 8 0 0 1 16 0z"/><circle cx="12" cy="10" r="3"/>',
  locate: '<circle cx="12" cy="12" r="7"/><circle cx="12" cy="12" r="2.5" fill="currentColor"/><path d="M12 1v4M12 19v4M1 12h4M19 12h4"/>',
  walk: '<circle cx="13" cy="4" r="2"/><path d="m9 21 2.5-6 3 2.5V21M11.5 15 10.8 9.5l3.2 1.2 2.5 2.8M10.8 9.5 7.5 12"/>',
  ebike: '<circle cx="5.5" cy="17.5" r="3.5"/><circle cx="18.5" cy="17.5" r="3.5"/><path d="M15 6h2.5l1 11.5M5.5 17.5 9 9h5l1 4h3.5M9 9 8 6H6"/>',
  route: '<circle cx="6" cy="19" r="3"/><path d="M9 19h8.5a3.5 3.5 0 0 0 0-7h-11a3.5 3.5 0 0 1 0-7H15"/><circle cx="18" cy="5" r="3"/>',
  navigate: '<path d="M3 11 22 2l-9 19-2-8-8-2z"/>',
  download: '<path d="M12 3v12M7 10l5 5 5-5M5 21h14"/>',
  phone:
    '<path d="M22 16.9v3a2 2 0 0 1-2.2 2 19.8 19.8 0 0 1-8.6-3.1 19.5 19.5 0 0 1-6-6A19.8 19.8 0 0 1 2.1 4.2 2 2 0 0 1 4.1 2h3a2 2 0 0 1 2 1.7c.1.9.4 1.8.7 2.7a2 2 0 0 1-.5 2.1L8 9.8a16 16 0 0 0 6 6l1.3-1.3a2 2 0 0 1 2.1-.4c.9.3 1.8.6 2.7.7a2 2 0 0 1 1.7 2z"/>',
  // Station types (map symbols and legend).
  canteen: '<path d="M3 11h18a9 9 0 0 1-18 0zM8 7c0-1.5 1-1.5 1-3M12 7c0-1.5 1-1.5 1-3M16 7c0-1.5 1-1.5 1-3"/>',
  care: '<path d="M3 11 12 3l9 8M5 9.5V21h14V9.5"/><path d="M12 18s-3.5-2.2-3.5-4.4a1.75 1.75 0 0 1 3.5-.4 1.75 1.75 0 0 1 3.5.4C15.5 15.8 12 18 12 18z"/>',
  party: '<path d="M5 21V3M5 4h13l-3 4.5 3 4.5H5"/>',
  leaf: '<path d="M5 19c0-9 6-14 15-14 0 9-5 15-14 15M5 19l7-7"/>',
};

/** The SVG markup of an icon, for drawing it elsewhere (e.g. as a map image). */
export function iconMarkup(name: string): string {
  return P[name] ?? P.pin;
}

/** An icon element (aria-hidden; give the surrounding control its label). */
export function icon(name: string, cls = ''): HTMLSpanElement {
  const span = document.createElement('span');
  span.className = `icon ${cls}`.trim();
  span.setAttribute('aria-hidden', 'true');
  // Constant, trusted markup.
  span.innerHTML = `<svg viewBox="0 0 24 24" width="1em" height="1em" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">${iconMarkup(name)}</svg>`;
  return span;
}
