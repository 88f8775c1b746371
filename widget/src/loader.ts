import { Switchboard } from './api.ts';
import { defineSwitchboardChat, setDefaultApiBase } from './element.ts';

/**
 * The script-tag build: <script src="https://HOST/widget.js" data-key="pk_live_…" async>.
 * The API is wherever the script came from. data-* attributes configure it (data-brand-color,
 * data-position, data-locale, data-greeting, data-launcher-label, data-chat-title and the
 * segment attributes data-property, data-unit, data-job, data-site); without data-key the page
 * calls Switchboard.init({ publishableKey }) itself.
 */
const script = document.currentScript as HTMLScriptElement | null;
if (script?.src) setDefaultApiBase(new URL(script.src).origin);
defineSwitchboardChat();

const queued = (window as unknown as { Switchboard?: { q?: [string, unknown][] } }).Switchboard?.q ?? [];
(window as unknown as { Switchboard: typeof Switchboard }).Switchboard = Switchboard;

function boot(): void {
  const key = script?.dataset.key;
  if (key) {
    const d = script!.dataset;
    const metadata: Record<string, string> = {};
    for (const k of ['property', 'unit', 'job', 'site'] as const) if (d[k]) metadata[k] = d[k]!;
    Switchboard.init({
      publishableKey: key,
      metadata,
      ...(d.brandColor ? { brandColor: d.brandColor } : {}),
      ...(d.position ? { position: d.position as 'bottom-left' } : {}),
      ...(d.locale ? { locale: d.locale as 'es' } : {}),
      ...(d.greeting ? { greeting: d.greeting } : {}),
      ...(d.launcherLabel !== undefined ? { launcherLabel: d.launcherLabel } : {}),
      ...(d.chatTitle ? { title: d.chatTitle } : {}),
    });
  }
  for (const [method, arg] of queued) (Switchboard as unknown as Record<string, (a: unknown) => void>)[method]?.(arg);
}

if (document.body) boot();
else document.addEventListener('DOMContentLoaded', boot, { once: true });
