// The status pages of core/status, and how a request picks HTML (people) or JSON (machines).
// Pure: the Get Status node (nodes/ActitoAudience/resources/audience/statusPage.ts) and the
// overview workflow (templates/actito-meta-overview.json) call it.

import { renderOverviewPage, renderStatusPage, type OverviewRow } from './page';
import { buildStatusView, type StatusView } from './view';

export * from './page';
export * from './view';

type Json = Record<string, unknown>;

/** What the webhook got: the Webhook node's item has `headers` and `query`. */
export interface PageRequest {
	headers?: Record<string, unknown>;
	query?: Record<string, unknown>;
}

/**
 * HTML for people, JSON for machines. `?format=json|html` decides; otherwise the Accept header:
 * browsers send `text/html` and get the page, `application/json` gets JSON. A client that states
 * neither (curl, fetch: `*` + `/*`) gets JSON, as the status webhook answered before the page existed,
 * so scripts reading it keep working.
 */
export function wantsJson(request: PageRequest | null | undefined): boolean {
	const format = String(request?.query?.format ?? '').toLowerCase();
	if (format === 'json') return true;
	if (format === 'html') return false;
	const accept = String(request?.headers?.accept ?? '').toLowerCase();
	if (accept.includes('text/html')) return false;
	return true;
}

/**
 * The profile id asked for in `?profile=`, when it is one: digits only (Actito profile ids).
 * Anything else (an e-mail, a name) is refused without being echoed or looked up.
 */
export function askedProfileId(request: PageRequest | null | undefined): { id: string | null; asked: boolean } {
	const raw = request?.query?.profile;
	if (raw === undefined || raw === null || raw === '') return { id: null, asked: false };
	const text = String(raw).trim();
	return /^[0-9]{1,18}$/.test(text) ? { id: text, asked: true } : { id: null, asked: true };
}

export interface PageAnswer {
	body: string;
	contentType: string;
	statusCode: number;
}

/**
 * The answer of a link's status page. JSON fields: the Get Status record as before (link, actito,
 * memberCount, lastMemberUpdateAt, syncedAt, pending, lastRuns, configuration, guard, meta…) plus
 * `view` (what the page shows, in words and numbers; README "Status pages" lists its fields).
 */
export function statusAnswer(
	status: Json,
	request: PageRequest | null | undefined,
	options: { now: string; profile?: Json | null; profileAsked?: boolean; overviewHref?: string; adAccountId?: string | null },
): PageAnswer {
	// The ad account only names the page where Meta's terms are accepted; it is not shown otherwise.
	const view = buildStatusView(status, { now: options.now, profile: options.profile ?? null, adAccountId: options.adAccountId });
	if (wantsJson(request)) {
		return { body: JSON.stringify({ ...status, view }), contentType: 'application/json; charset=utf-8', statusCode: 200 };
	}
	return {
		body: renderStatusPage(view, { profileAsked: options.profileAsked && !options.profile, overviewHref: options.overviewHref }),
		contentType: 'text/html; charset=utf-8',
		statusCode: 200,
	};
}

/** One link as the overview gets it: its status JSON (with `view`), or what failed. */
export interface OverviewInput {
	name?: string;
	href?: string | null;
	status?: Json | null;
	problem?: string | null;
}

export function overviewAnswer(links: OverviewInput[], request: PageRequest | null | undefined, options: { now: string; title?: string }): PageAnswer {
	const rows: OverviewRow[] = links.map((l) => {
		const status = l.status && typeof l.status === 'object' ? l.status : null;
		const view: StatusView | null = status ? buildStatusView(status, { now: options.now }) : null;
		// The link's own page knows its ad account (for the terms link); keep its fix address.
		const own = (status?.view as { state?: { fixUrl?: unknown } } | undefined)?.state?.fixUrl;
		if (view && typeof own === 'string' && own.startsWith('https://business.facebook.com/')) view.state.fixUrl = own;
		return { name: l.name ?? view?.name ?? 'Audience link', href: l.href ?? null, view, problem: view ? null : l.problem ?? 'its status page did not answer' };
	});
	if (wantsJson(request)) {
		return {
			body: JSON.stringify({ links: rows.map((r) => ({ name: r.view?.name ?? r.name, href: r.href, problem: r.problem, view: r.view })) }),
			contentType: 'application/json; charset=utf-8',
			statusCode: 200,
		};
	}
	return { body: renderOverviewPage(rows, { now: options.now, title: options.title }), contentType: 'text/html; charset=utf-8', statusCode: 200 };
}
export * from './limit';
