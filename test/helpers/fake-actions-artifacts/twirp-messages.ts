import { z } from 'zod';

/**
 * The request messages of github.actions.results.api.v1.ArtifactService as JSON, the way
 * @actions/artifact sends them (protobuf-ts toJson with proto field names, default values
 * omitted): int64 as a decimal string, google.protobuf.StringValue and Int64Value as their bare
 * value, Timestamp as RFC 3339. Objects are strict: an unknown or misspelt field is an error here,
 * where the real service would drop it silently.
 */

const id = z.string().min(1);
const int64 = z.string().regex(/^\d+$/, 'an int64 is a decimal string in protobuf JSON');
const rfc3339 = z.string().datetime({ offset: true });
// Characters upload-artifact refuses in a name (NTFS and path safety).
const artifactName = z
  .string()
  .min(1)
  .regex(/^[^":<>|*?\r\n\\/]+$/, 'the name holds a character artifacts cannot have');

const owner = { workflow_run_backend_id: id, workflow_job_run_backend_id: id };

export const MESSAGES = {
  CreateArtifact: z.strictObject({
    ...owner,
    name: artifactName,
    expires_at: rfc3339.optional(),
    version: z.number().int().min(4).max(7),
    mime_type: z.string().min(1).optional(),
  }),
  FinalizeArtifact: z.strictObject({
    ...owner,
    name: artifactName,
    size: int64.optional(),
    hash: z
      .string()
      .regex(/^sha256:[0-9a-f]{64}$/)
      .optional(),
  }),
  ListArtifacts: z.strictObject({
    ...owner,
    name_filter: z.string().optional(),
    id_filter: int64.optional(),
  }),
  DeleteArtifact: z.strictObject({ ...owner, name: artifactName }),
} as const;

export type Method = keyof typeof MESSAGES;
export type MessageOf<M extends Method> = z.infer<(typeof MESSAGES)[M]>;

export function isMethod(name: string): name is Method {
  return Object.hasOwn(MESSAGES, name);
}
