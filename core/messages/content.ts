/**
 * A message's content: the columns that carry what was said and to whom it was addressed (body,
 * subject, media, the provider's error text, template variables, the email Message-ID). Retention
 * and GDPR erasure destroy exactly these, from this one list; a content column added to messages
 * is added here, or it outlives both. Ids, direction, channel, status, error code and metadata stay.
 */
export const MESSAGE_CONTENT_COLUMNS = ['body_enc', 'subject_enc', 'media_enc', 'error_message_enc', 'template_enc', 'rfc_message_id_enc'] as const;

/** For a knex update: every content column set to NULL. */
export const noContent = (): Record<(typeof MESSAGE_CONTENT_COLUMNS)[number], null> =>
  Object.fromEntries(MESSAGE_CONTENT_COLUMNS.map((c) => [c, null])) as Record<(typeof MESSAGE_CONTENT_COLUMNS)[number], null>;

/** For raw SQL: `SET …` assignments clearing the content, and "some content is left" (alias: the messages table's). */
export const CLEAR_CONTENT_SQL = MESSAGE_CONTENT_COLUMNS.map((c) => `${c} = NULL`).join(', ');
export const hasContentSql = (alias: string) => `(${MESSAGE_CONTENT_COLUMNS.map((c) => `${alias}.${c} IS NOT NULL`).join(' OR ')})`;
