// Meta Graph errors, classified on code/subcode only (the contract's table): message texts
// change between versions and languages, the numbers do not.

import { CoreError } from '../errors';

export type MetaErrorKind =
	| 'rate_limit'
	| 'transient'
	| 'auth'
	| 'terms'
	| 'too_small'
	| 'permission'
	| 'flagged'
	| 'audience_update'
	| 'audience_update_retry'
	| 'version'
	| 'bad_request'
	/** An answer that does not have the documented shape: nothing is decided on it. */
	| 'contract'
	/** A paging loop that would not end. */
	| 'paging'
	| 'unknown';

const RETRYABLE: ReadonlySet<MetaErrorKind> = new Set(['rate_limit', 'transient', 'audience_update_retry']);

export interface MetaErrorInit {
	status: number;
	code?: number;
	subcode?: number;
	type?: string;
	message: string;
	fbtraceId?: string;
	userTitle?: string;
	userMessage?: string;
	isTransient?: boolean;
	/** Forces the kind (e.g. for a network failure or an HTML body). */
	kind?: MetaErrorKind;
	waitMs?: number;
	adAccountId?: string;
}

export class MetaApiError extends CoreError {
	declare readonly status: number;
	readonly subcode?: number;
	readonly type?: string;
	readonly fbtraceId?: string;
	readonly userTitle?: string;
	readonly userMessage?: string;
	declare readonly kind: MetaErrorKind;
	readonly retryable: boolean;
	/** How long Meta asked us to wait before retrying, when it said so. */
	readonly waitMs?: number;
	/** Meta's own message (already stripped of secrets). */
	readonly metaMessage: string;

	constructor(init: MetaErrorInit) {
		const kind = init.kind ?? classifyMetaError(init.status, init.code, init.subcode, init.isTransient);
		const numbers = init.code === undefined ? `HTTP ${init.status}` : `${init.code}${init.subcode ? `/${init.subcode}` : ''}`;
		super(`Meta API error ${numbers} (${kind}): ${init.message}`, {
			kind,
			status: init.status,
			code: init.code,
			hint: hintFor(kind, init.adAccountId, init.subcode),
		});
		this.name = 'MetaApiError';
		this.subcode = init.subcode;
		this.type = init.type;
		this.fbtraceId = init.fbtraceId;
		this.userTitle = init.userTitle;
		this.userMessage = init.userMessage;
		this.retryable = RETRYABLE.has(kind);
		this.waitMs = init.waitMs;
		this.metaMessage = init.message;
	}
}

const RATE_LIMIT_CODES = new Set([4, 17, 32, 613, 80000, 80001, 80002, 80003, 80004, 80005, 80006, 80008, 80009, 80014]);
const TRANSIENT_CODES = new Set([1, 2, 341, 803]);
const PERMISSION_CODES = new Set([10, 270, 294]);

export function classifyMetaError(status: number, code?: number, subcode?: number, isTransient?: boolean): MetaErrorKind {
	if (code === undefined) return status >= 500 || status === 0 ? 'transient' : 'unknown';
	if (RATE_LIMIT_CODES.has(code)) return 'rate_limit';
	if (TRANSIENT_CODES.has(code)) return 'transient';
	if (code === 190 || code === 102) return 'auth';
	if (code === 200 && (subcode === 1870090 || subcode === 1870034)) return 'terms';
	if (code === 200 && subcode === 1870047) return 'too_small';
	if (PERMISSION_CODES.has(code) || (code >= 200 && code <= 299)) return 'permission';
	if (code === 100 && subcode === 33) return 'permission';
	if (code === 100 && subcode === 1713230) return 'flagged';
	if (code === 2650) return subcode === 1870145 || subcode === 1870148 ? 'audience_update_retry' : 'audience_update';
	if (code === 2635) return 'version';
	if (isTransient) return 'transient';
	if (status >= 500) return 'transient';
	if (code === 100 || code === 105 || code === 194) return 'bad_request';
	return 'unknown';
}

/** `act_123` → `123`, for URLs a user opens. */
function accountDigits(adAccountId?: string): string {
	return adAccountId ? adAccountId.replace(/^act_/, '') : '<ad account id>';
}

export function hintFor(kind: MetaErrorKind, adAccountId?: string, subcode?: number): string {
	switch (kind) {
		case 'rate_limit':
			return 'Meta is throttling this ad account. Wait and run again, or raise "Maximum Wait" so the node waits for Meta.';
		case 'transient':
			return 'A temporary problem at Meta. Run again later.';
		case 'auth':
			return 'The access token is invalid or expired: generate a new system-user token in Business Settings and update the Meta Marketing API credential.';
		case 'terms':
			return `Accept the Custom Audience terms at https://business.facebook.com/ads/manage/customaudiences/tos/?act=${accountDigits(adAccountId)}`;
		case 'too_small':
			return 'Meta refuses removals that would make the audience too small. Keep the audience above the minimum or replace it.';
		case 'permission':
			return `The system user needs the ads_management permission on ad account ${adAccountId ?? '(the one selected)'}: assign the ad account to it in Business Settings, with a token that has ads_management.`;
		case 'flagged':
			return 'Meta flagged this audience for integrity review; uploads are blocked. Check the audience in Ads Manager.';
		case 'audience_update':
			return subcode === 1870158 || subcode === 1870159
				? 'The upload session is over: start again with a new session.'
				: 'Meta refused the audience update. An audience keeps one schema for life: use the same identifier keys as before, or a new audience.';
		case 'audience_update_retry':
			return 'Another update (e.g. a replace) is running on this audience. Run again later.';
		case 'version':
			return 'This Marketing API version has expired: choose a newer API version in the Meta Marketing API credential.';
		case 'contract':
			return 'Meta (or a proxy in front of it) answered with something that is not the documented answer. Check the base URL in the Meta Marketing API credential and run again: nothing was committed on this answer.';
		case 'paging':
			return 'Meta (or a proxy in front of it) pages without end. Run again later; if it persists, report it with the fbtrace_id.';
		case 'bad_request':
			return 'Meta refused a parameter. This is probably a bug in the node: please report it with the fbtrace_id.';
		default:
			return 'Unexpected answer from Meta. Check the fbtrace_id in the Meta developer support tools.';
	}
}
