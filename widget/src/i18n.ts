/** The widget's words. English and Spanish ship; any key can be overridden (options.strings). */
export const STRINGS = {
  en: {
    launcherLabel: 'Chat with us',
    openChat: 'Open chat',
    closeChat: 'Close chat',
    title: 'Chat with us',
    greeting: 'Hi! Ask us anything — we usually reply in a few minutes.',
    replyTime: 'We typically reply in a few minutes',
    placeholder: 'Write a message…',
    send: 'Send',
    sending: 'Sending…',
    sent: 'Sent',
    failed: 'Not sent.',
    retry: 'Retry',
    you: 'You',
    agent: 'Team',
    unread: '{n} unread',
    reconnecting: 'Reconnecting…',
    connecting: 'Connecting…',
    unavailable: 'Chat is not available on this site.',
    unavailableOrigin: 'This site ({origin}) is not allowed to use this chat. The site owner must add it to the chat’s allowed origins.',
    unavailableKey: 'This chat is not available (unknown or revoked key).',
    paused: 'Chat is paused for now. Please try again later, or reach us another way.',
    identityRefused: 'We could not verify who you are. Please sign in again.',
    offlineTitle: 'We’re away right now',
    offlineBody: 'Leave a message and your email, and we’ll get back to you.',
    offlineEmail: 'Your email',
    offlineMessage: 'Your message',
    offlineSend: 'Send message',
    offlineThanks: 'Thanks! We’ll reply by email.',
    otherChannels: 'Or reach us by',
    textUs: 'Text us',
    whatsapp: 'WhatsApp',
    email: 'Email',
    messages: 'Messages',
    poweredBy: 'Switchboard',
  },
  es: {
    launcherLabel: 'Chatea con nosotros',
    openChat: 'Abrir chat',
    closeChat: 'Cerrar chat',
    title: 'Chatea con nosotros',
    greeting: '¡Hola! Pregúntanos lo que quieras; solemos responder en pocos minutos.',
    replyTime: 'Solemos responder en pocos minutos',
    placeholder: 'Escribe un mensaje…',
    send: 'Enviar',
    sending: 'Enviando…',
    sent: 'Enviado',
    failed: 'No enviado.',
    retry: 'Reintentar',
    you: 'Tú',
    agent: 'Equipo',
    unread: '{n} sin leer',
    reconnecting: 'Reconectando…',
    connecting: 'Conectando…',
    unavailable: 'El chat no está disponible en este sitio.',
    unavailableOrigin: 'Este sitio ({origin}) no tiene permiso para usar este chat. El propietario debe añadirlo a los orígenes permitidos.',
    unavailableKey: 'Este chat no está disponible (clave desconocida o revocada).',
    paused: 'El chat está en pausa por ahora. Inténtalo más tarde o contáctanos por otro medio.',
    identityRefused: 'No pudimos verificar tu identidad. Vuelve a iniciar sesión.',
    offlineTitle: 'Ahora no estamos disponibles',
    offlineBody: 'Déjanos un mensaje y tu correo, y te responderemos.',
    offlineEmail: 'Tu correo',
    offlineMessage: 'Tu mensaje',
    offlineSend: 'Enviar mensaje',
    offlineThanks: '¡Gracias! Te responderemos por correo.',
    otherChannels: 'O contáctanos por',
    textUs: 'Envíanos un SMS',
    whatsapp: 'WhatsApp',
    email: 'Correo',
    messages: 'Mensajes',
    poweredBy: 'Switchboard',
  },
} as const;

export type StringKey = keyof (typeof STRINGS)['en'];
export type Strings = Record<StringKey, string>;

export function strings(locale: string | undefined, overrides: Record<string, string> = {}): Strings {
  const base = locale?.toLowerCase().startsWith('es') ? STRINGS.es : STRINGS.en;
  const out = { ...base } as Strings;
  for (const [k, v] of Object.entries(overrides)) if (k in out && typeof v === 'string') out[k as StringKey] = v;
  return out;
}

export const fill = (s: string, vars: Record<string, string | number>) => s.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ''));
