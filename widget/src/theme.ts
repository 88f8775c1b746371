import { THEME_KEYS, type WidgetOptions } from '../../core/widget/options.ts';

/**
 * The key's (or the page's) theme as custom properties on :host. Each value is cut at anything
 * that could end a declaration, so a value can only ever be one property's value.
 */
const clean = (v: string) => v.replace(/[;{}<>\\]/g, '').slice(0, 200);

/** Black or white, whichever reads better on the colour (WCAG relative luminance). */
export function contrastOn(hex: string): string {
  const m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(hex.trim());
  if (!m) return '#ffffff';
  const h = m[1]!.length === 3 ? m[1]!.replace(/./g, (c) => c + c) : m[1]!;
  const [r, g, b] = [0, 2, 4].map((i) => {
    const c = parseInt(h.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  const L = 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
  return (L + 0.05) / 0.05 > 1.05 / (L + 0.05) ? '#111827' : '#ffffff';
}

export function themeCss(o: WidgetOptions): string {
  const vars: string[] = [];
  const brand = o.theme?.brand ?? o.brandColor;
  if (brand) {
    vars.push(`--sb-brand: ${clean(brand)}`);
    if (!o.theme?.['brand-contrast']) vars.push(`--sb-brand-contrast: ${contrastOn(brand)}`);
  }
  for (const k of THEME_KEYS) {
    const v = o.theme?.[k];
    if (v && k !== 'brand') vars.push(`--sb-${k}: ${clean(v)}`);
  }
  return vars.length ? `:host { ${vars.join('; ')} }` : '';
}
