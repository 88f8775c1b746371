/** Org setting: how long a dashboard session lasts (capped at 15 minutes in HIPAA mode, see sessions.ts). */
export const sessionMaxMinutesSchema = {
  type: 'integer',
  minimum: 5,
  maximum: 43_200,
  default: 720,
  description: 'Dashboard session lifetime in minutes (HIPAA mode caps it at 15).',
} as const;
