import { useEffect } from 'react';
import type { Branding } from '../api/types.ts';

/**
 * White-label: the org's (or, before sign-in, the serving domain's platform's) name, logo and
 * colours in place of Switchboard's. Colours become the stylesheet's custom properties (set
 * through the CSSOM, which the strict CSP allows; no inline style attribute is written).
 */
const PROPERTIES: [keyof Branding['colors'], string][] = [
  ['primary', '--accent'],
  ['accent', '--accent-dark'],
];

export function useBrandColors(branding: Branding | undefined | null): void {
  const key = PROPERTIES.map(([k]) => branding?.colors?.[k] ?? '').join('|');
  useEffect(() => {
    const root = document.documentElement.style;
    for (const [k, prop] of PROPERTIES) {
      const value = branding?.colors?.[k];
      if (value) root.setProperty(prop, value);
      else root.removeProperty(prop);
    }
    return () => PROPERTIES.forEach(([, prop]) => root.removeProperty(prop));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
}

export function BrandMark({ branding, className = '' }: { branding: Branding | undefined | null; className?: string }) {
  const name = branding?.displayName ?? 'Switchboard';
  return branding?.logoUrl ? (
    <img className={`brand-logo ${className}`} src={branding.logoUrl} alt="" width={30} height={30} referrerPolicy="no-referrer" />
  ) : (
    <span className={`brand-mark ${className}`} aria-hidden="true">
      {name.trim().charAt(0).toUpperCase() || 'S'}
    </span>
  );
}
