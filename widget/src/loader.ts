import { Switchboard } from './api.ts';
import { defineSwitchboardChat, setDefaultApiBase } from './element.ts';

/**
 * The script-tag build: <script src="https://HOST/widget.js" data-key="pk_live_…" async>.
 * The API is wherever the script came from. data-* attributes configure it (data-brand-color,
 * data-position, data-locale, data-greeting, data-launcher-label, data-chat-title and the
 * segment attributes data-property, data-unit, data-job, data-site); without data-key the page
 * calls Switchboard.init({ publishableKey }) itself. A page's own script may run before or after
 * this one (async): it pushes its calls onto the stub, (window.Switchboard ||= { q: [] }).q.push(['init', {...}]).
 */
const script = document.currentScript as HTMLScriptElement | null;
if (script?.src) setDefaultApiBase(new URL(script.src).origin);
defineSwitchboardChat();

type Call = [string, unknown];
const w = window as unknown as { Switchboard?: { q?: Call[] | { push(...c: Call[]): void } } };
const queued = Array.isArray(w.Switchboard?.q) ? (w.Switchboard!.q as Call[]) : [];
const run = ([method, arg]: Call) => (Switchboard as unknown as Record<string, (a: unknown) => void>)[method]?.(arg);
let booted = false;
// Calls pushed after this script ran (the page's stub: (window.Switchboard ||= { q: [] }).q.push([...])) run at once, or at boot.
w.Switchboard = Object.assign(Switchboard, { q: { push: (...calls: Call[]) => calls.forEach((c) => (booted ? run(c) : queued.push(c))) } });

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
  booted = true;
  queued.splice(0).forEach(run);
}

if (document.body) boot();
else document.addEventListener('DOMContentLoaded', boot, { once: true });
