/** @jsxImportSource preact */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { fill, strings } from './i18n.ts';
import { isOpen } from './hours.ts';
import { linkify } from './linkify.ts';
import type { ChatMessage, ChatSession, ChatState, WidgetOptions } from './session.ts';
import { themeCss } from './theme.ts';

/**
 * The launcher and the chat panel. Customer text is rendered only as text nodes (and http(s)
 * links); the panel is a labelled dialog, the message list a polite live region, and everything
 * works by keyboard (Escape closes, focus returns to the launcher).
 */
export interface AppProps {
  session: ChatSession;
  /** Options from the page (attributes, Switchboard.init) over those stored on the key. */
  local: WidgetOptions;
  themeSheet: { replaceSync(css: string): void } | null;
  openState: { open: boolean; listeners: Set<(open: boolean) => void> };
}

const Icon = {
  chat: () => (
    <svg viewBox="0 0 24 24" fill="currentColor" aria-hidden="true"><path d="M12 3C6.5 3 2 6.9 2 11.7c0 2.6 1.3 4.9 3.4 6.5-.1 1.3-.6 2.6-1.6 3.6 2 0 3.8-.7 5.2-1.8 1 .3 2 .4 3 .4 5.5 0 10-3.9 10-8.7S17.5 3 12 3z" /></svg>
  ),
  close: () => (
    <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" aria-hidden="true"><path d="M6 6l12 12M18 6L6 18" /></svg>
  ),
  chevron: () => (
    <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2.4" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M6 9l6 6 6-6" /></svg>
  ),
  send: () => (
    <svg viewBox="0 0 24 24" fill="currentColor" aria-hidden="true"><path d="M3.4 20.4l17.5-7.5c.8-.4.8-1.5 0-1.8L3.4 3.6c-.7-.3-1.4.3-1.3 1l1.1 6.1 9.3 1.3-9.3 1.3-1.1 6.1c-.1.7.6 1.3 1.3 1z" /></svg>
  ),
  sms: () => (
    <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" aria-hidden="true"><rect x="6" y="2" width="12" height="20" rx="2.5" /><path d="M10 18h4" /></svg>
  ),
  whatsapp: () => (
    <svg viewBox="0 0 24 24" fill="currentColor" aria-hidden="true"><path d="M12 2a10 10 0 00-8.6 15.1L2 22l5-1.3A10 10 0 1012 2zm5.3 14.1c-.2.6-1.3 1.2-1.8 1.2-.5.1-1 .2-3.3-.7-2.8-1.1-4.6-4-4.7-4.2-.1-.2-1.1-1.5-1.1-2.9s.7-2 1-2.3c.3-.3.6-.3.8-.3h.6c.2 0 .4 0 .6.5l.9 2.1c.1.2.1.4 0 .5l-.3.5-.4.5c-.1.1-.3.3-.1.6.2.3.8 1.3 1.7 2.1 1.2 1 2.1 1.3 2.4 1.5.3.1.5.1.6-.1l.9-1c.2-.3.4-.2.6-.1l2 .9c.3.1.5.2.5.3.1.1.1.7-.1 1.3z" /></svg>
  ),
  email: () => (
    <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" aria-hidden="true"><rect x="3" y="5" width="18" height="14" rx="2" /><path d="M3 7l9 6 9-6" /></svg>
  ),
};

const SEEN_KEY = 'switchboard:seen';

function Text({ body }: { body: string }) {
  return (
    <>
      {linkify(body).map((p, i) =>
        p.href ? (
          <a key={i} href={p.href} target="_blank" rel="noopener noreferrer">
            {p.text}
          </a>
        ) : (
          p.text
        ),
      )}
    </>
  );
}

function time(iso: string, locale: string): string {
  try {
    return new Date(iso).toLocaleTimeString(locale, { hour: 'numeric', minute: '2-digit' });
  } catch {
    return '';
  }
}

function beep(): void {
  try {
    const ctx = new AudioContext();
    const o = ctx.createOscillator();
    const g = ctx.createGain();
    o.frequency.value = 880;
    g.gain.setValueAtTime(0.08, ctx.currentTime);
    g.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + 0.25);
    o.connect(g).connect(ctx.destination);
    o.start();
    o.stop(ctx.currentTime + 0.25);
  } catch {
    /* no audio: nothing to do */
  }
}

export function App({ session, local, themeSheet, openState }: AppProps) {
  const [state, setState] = useState<ChatState>(session.snapshot);
  const [open, setOpen] = useState(openState.open);
  const [draft, setDraft] = useState('');
  const [offlineDone, setOfflineDone] = useState(false);
  const [seenAt, setSeenAt] = useState<string>(() => {
    try {
      return localStorage.getItem(SEEN_KEY) ?? '';
    } catch {
      return '';
    }
  });
  const list = useRef<HTMLDivElement>(null);
  const launcher = useRef<HTMLButtonElement>(null);
  const input = useRef<HTMLTextAreaElement>(null);
  const known = useRef<Set<string>>(new Set());

  useEffect(() => session.subscribe(setState), [session]);
  useEffect(() => {
    const l = (o: boolean) => setOpen(o);
    openState.listeners.add(l);
    return () => openState.listeners.delete(l);
  }, [openState]);

  const o: WidgetOptions = useMemo(() => ({ ...state.options, ...local, channels: { ...state.options.channels, ...local.channels }, theme: { ...state.options.theme, ...local.theme } }), [state.options, local]);
  const t = useMemo(() => strings(o.locale ?? (typeof navigator !== 'undefined' ? navigator.language : 'en'), o.strings), [o.locale, o.strings]);
  const locale = o.locale ?? 'en';
  useEffect(() => themeSheet?.replaceSync(themeCss(o)), [themeSheet, o]);

  const setOpenBoth = (v: boolean) => {
    openState.open = v;
    openState.listeners.forEach((l) => l(v));
  };

  // Mark what is visible as seen; the badge counts agent messages after that.
  const lastAt = state.messages.length ? state.messages[state.messages.length - 1]!.createdAt : '';
  useEffect(() => {
    if (!open || !lastAt || lastAt <= seenAt) return;
    setSeenAt(lastAt);
    try {
      localStorage.setItem(SEEN_KEY, lastAt);
    } catch {
      /* storage blocked */
    }
  }, [open, lastAt, seenAt]);
  const unread = open ? 0 : state.messages.filter((m) => m.author === 'agent' && m.createdAt > seenAt).length;

  // Sound and notifications: only when the site enabled them, and only for agent messages that arrive now.
  useEffect(() => {
    const fresh = state.messages.filter((m) => m.author === 'agent' && !known.current.has(m.id));
    const first = known.current.size === 0;
    state.messages.forEach((m) => known.current.add(m.id));
    if (first || !fresh.length || (open && document.hasFocus())) return;
    if (o.sound) beep();
    if (o.notifications && typeof Notification !== 'undefined' && Notification.permission === 'granted') {
      new Notification(o.title ?? t.title, { body: fresh[fresh.length - 1]!.body.slice(0, 140) });
    }
  }, [state.messages]);

  useEffect(() => {
    if (open && list.current) list.current.scrollTop = list.current.scrollHeight;
  }, [open, state.messages.length]);
  useEffect(() => {
    if (open) input.current?.focus();
  }, [open]);

  const close = () => {
    setOpenBoth(false);
    launcher.current?.focus();
  };
  const submit = (e?: Event) => {
    e?.preventDefault();
    if (!draft.trim()) return;
    void session.send(draft);
    setDraft('');
  };

  const title = o.title ?? t.title;
  const greeting = o.greeting ?? t.greeting;
  const label = o.launcherLabel ?? t.launcherLabel;
  const online = isOpen(o.businessHours);
  const chatOn = o.channels?.chat !== false;
  const err = state.status === 'error' ? state.error : null;
  // A suspended org (401 org_suspended) is a pause, not a fault: a calm notice, not a red error.
  const paused = err?.code === 'org_suspended';
  const errText = !err
    ? ''
    : paused
      ? t.paused
      : err.status === 403
      ? fill(t.unavailableOrigin, { origin: location.origin })
      : err.status === 401 && /userHash|verif/i.test(err.message)
        ? t.identityRefused
        : err.status === 401
          ? t.unavailableKey
          : `${t.unavailable} (${err.message})`;
  const agentName = (m: ChatMessage) => m.authorName ?? o.agentName ?? title;
  const lastVisitor = [...state.messages].reverse().find((m) => m.author === 'visitor');

  return (
    <div class={`root ${o.position === 'bottom-left' ? 'left' : ''}`} part="root" data-status={state.status} onKeyDown={(e) => e.key === 'Escape' && open && close()}>
      {open && (
        <section class="panel" part="panel" role="dialog" aria-modal="false" aria-labelledby="sb-title" id="sb-panel">
          <header class="header" part="header">
            <span class="avatar" aria-hidden="true">{(o.agentName ?? title).trim().charAt(0).toUpperCase()}</span>
            <div class="heading">
              <h2 class="title" part="title" id="sb-title">{title}</h2>
              <p class="subtitle" part="subtitle">
                {/* A chat that cannot open (paused, refused) does not promise a reply. */}
                <span class={`dot ${online && !err ? '' : 'away'}`} aria-hidden="true" />
                {online && !err ? t.replyTime : t.offlineTitle}
              </p>
            </div>
            <button type="button" class="close" part="close" aria-label={t.closeChat} onClick={close}>
              <Icon.chevron />
            </button>
          </header>
          {err ? (
            <div class="messages" part="messages">
              <p class={`errorbox ${paused ? 'paused' : ''}`} role="alert" part="error" data-error={err.code}>{errText}</p>
            </div>
          ) : (
            <div class="messages" part="messages" ref={list} role="log" aria-live="polite" aria-label={t.messages} tabIndex={0}>
              <div class="row agent first">
                <span class="who">{o.agentName ?? title}</span>
                <div class="bubble" part="message message-agent">{greeting}</div>
              </div>
              {state.messages.map((m, i) => {
                const prev = state.messages[i - 1];
                const first = !prev || prev.author !== m.author || (m.author === 'agent' && agentName(prev) !== agentName(m));
                return (
                  <div key={m.id} class={`row ${m.author} ${first ? 'first' : ''}`} data-message-id={m.id}>
                    {m.author === 'agent' && first && <span class="who">{agentName(m)}</span>}
                    <div class="bubble" part={`message message-${m.author}`}>
                      <Text body={m.body} />
                    </div>
                    {m.state === 'failed' ? (
                      <span class="meta failed" role="status" data-delivery="failed">
                        {t.failed}{' '}
                        <button type="button" class="linkbtn" onClick={() => void session.retry(m)}>{t.retry}</button>
                      </span>
                    ) : m.state === 'sending' ? (
                      <span class="meta" data-delivery="sending">{t.sending}</span>
                    ) : m === lastVisitor ? (
                      <span class="meta" data-delivery="sent">{t.sent} · {time(m.createdAt, locale)}</span>
                    ) : null}
                  </div>
                );
              })}
            </div>
          )}
          {!err && state.status === 'reconnecting' && <p class="status" part="status" role="status">{t.reconnecting}</p>}
          {!err && chatOn && online && (
            <form class="composer" part="composer" onSubmit={submit}>
              <textarea
                ref={input}
                class="input"
                part="input"
                rows={1}
                value={draft}
                placeholder={t.placeholder}
                aria-label={t.placeholder}
                maxLength={4000}
                onInput={(e) => setDraft((e.target as HTMLTextAreaElement).value)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) submit(e);
                }}
              />
              <button type="submit" class="send" part="send" aria-label={t.send} disabled={!draft.trim()}>
                <Icon.send />
              </button>
            </form>
          )}
          {!err && chatOn && !online && (
            offlineDone ? (
              <p class="offline" part="offline" role="status">{t.offlineThanks}</p>
            ) : (
              <form
                class="offline"
                part="offline"
                onSubmit={(e) => {
                  e.preventDefault();
                  const f = new FormData(e.target as HTMLFormElement);
                  const email = String(f.get('email') ?? '').trim();
                  const message = String(f.get('message') ?? '').trim();
                  if (!message) return;
                  void session.send(email ? `${message}\n\n— ${t.offlineEmail}: ${email}` : message);
                  setOfflineDone(true);
                }}
              >
                <h3>{t.offlineTitle}</h3>
                <p>{t.offlineBody}</p>
                <label>{t.offlineEmail}<input class="field" type="email" name="email" autoComplete="email" required /></label>
                <label>{t.offlineMessage}<textarea class="field" name="message" rows={3} required /></label>
                <button type="submit" class="primary">{t.offlineSend}</button>
              </form>
            )
          )}
          {(o.channels?.sms || o.channels?.whatsapp || o.channels?.email) && (
            <nav class="channels" part="channels" aria-label={t.otherChannels}>
              {o.channels?.sms && <a class="channel" part="channel" href={`sms:${o.channels.sms}`}><Icon.sms />{t.textUs}</a>}
              {o.channels?.whatsapp && (
                <a class="channel" part="channel" href={`https://wa.me/${o.channels.whatsapp.replace(/\D/g, '')}`} target="_blank" rel="noopener noreferrer"><Icon.whatsapp />{t.whatsapp}</a>
              )}
              {o.channels?.email && <a class="channel" part="channel" href={`mailto:${o.channels.email}`}><Icon.email />{t.email}</a>}
            </nav>
          )}
        </section>
      )}
      <button
        ref={launcher}
        type="button"
        class={`launcher ${open || !label ? 'round' : ''}`}
        part="launcher"
        aria-label={open ? t.closeChat : unread ? `${label || t.openChat} (${fill(t.unread, { n: unread })})` : label || t.openChat}
        aria-expanded={open}
        aria-controls={open ? 'sb-panel' : undefined}
        onClick={() => (open ? close() : setOpenBoth(true))}
      >
        {open ? <Icon.close /> : <Icon.chat />}
        {!open && label && <span aria-hidden="true">{label}</span>}
        {unread > 0 && <span class="badge" part="badge" aria-hidden="true">{unread > 9 ? '9+' : unread}</span>}
      </button>
    </div>
  );
}
