/**
 * The sets an active legal hold protects, as CTEs (after WITH RECURSIVE) shared by the retention
 * job and isUnderLegalHold, so both always agree on what is held:
 *   held_contacts       contacts with an active hold, plus — following merges not undone — the
 *                       contacts they were merged into (the held person's messages moved there;
 *                       holding the survivor as a whole errs on the side of keeping evidence);
 *   held_conversations  conversations with an active hold, plus every conversation a held contact
 *                       is the customer of or takes part in.
 * RLS scopes every table to the transaction's org.
 */
export const heldSetsSql = `
  held_contacts(id) AS (
    SELECT target_id FROM legal_holds WHERE target_type = 'contact' AND released_at IS NULL
    UNION
    SELECT m.survivor_id FROM contact_merges m JOIN held_contacts h ON m.merged_id = h.id WHERE m.undone_at IS NULL
  ),
  held_conversations(id) AS (
    SELECT target_id FROM legal_holds WHERE target_type = 'conversation' AND released_at IS NULL
    UNION
    SELECT c.id FROM conversations c JOIN held_contacts h ON c.contact_id = h.id
    UNION
    SELECT p.conversation_id FROM participants p JOIN held_contacts h ON p.contact_id = h.id
  )`;
