import type { FieldProblem } from '../../api/client.ts';
import { errorsAt, serverValidatedForms } from '../../ui/schema-form.tsx';

/**
 * Install forms use the dashboard's one CSP-safe rjsf validator (ui/schema-form.tsx: the server
 * validates with the connector's own schemas; the page only picks oneOf/anyOf branches).
 */
export const serverValidator = serverValidatedForms;

/** The API's field problems (`/config/accountSid`, `/secrets/authToken`…) as rjsf extraErrors. */
export const toErrorSchema = (problems: FieldProblem[]): Record<string, any> => errorsAt(problems, '') ?? {};
