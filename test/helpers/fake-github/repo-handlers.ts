import { bodyAs, type Handler, str } from './handler.js';
import { notFound } from './http-error.js';
import { user } from './representations.js';

/** Collaborator permission checks and workflow dispatches. */

const permission: Handler = (ctx) => {
  const login = str(ctx, 'username');
  const found = ctx.repo.collaborators.get(login.toLowerCase());
  if (!found) throw notFound();
  return {
    status: 200,
    body: {
      permission: found.permission,
      role_name: found.roleName,
      user: { ...user(ctx.urls, login), role_name: found.roleName },
    },
  };
};

/**
 * Records the dispatch. With `return_run_details: true` GitHub (since 2025) answers 200 with the
 * run's id and URLs; otherwise 204 and no body.
 */
const dispatch: Handler = (ctx) => {
  const body = bodyAs<{
    readonly ref: string;
    readonly inputs?: Readonly<Record<string, unknown>>;
    readonly return_run_details?: boolean;
  }>(ctx);
  const runId = body.return_run_details === true ? ctx.nextId() : null;
  ctx.repo.dispatches.push({
    workflowId: str(ctx, 'workflow_id'),
    ref: body.ref,
    inputs: body.inputs ?? {},
    runId,
  });
  if (runId === null) return { status: 204 };
  const path = `${ctx.repo.fullName}/actions/runs/${runId}`;
  return {
    status: 200,
    body: {
      workflow_run_id: runId,
      run_url: `${ctx.urls.api}/repos/${path}`,
      html_url: `${ctx.urls.html}/${path}`,
    },
  };
};

export const repoHandlers: Readonly<Record<string, Handler>> = {
  'repos/get-collaborator-permission-level': permission,
  'actions/create-workflow-dispatch': dispatch,
};
