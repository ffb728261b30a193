// Both sandboxes for the node tests, started on port 0, with small control-API helpers.
import { controlCall } from '../support/nodeTransport';
import { hashIdentifier } from '../../core/identifiers';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { startMetaSandbox } = require('../../sandbox/meta');
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { startActitoSandbox } = require('../../sandbox/actito');

export const META_TOKEN = 'sandbox-meta-token';
export const AD_ACCOUNT = 'act_100000000000001';
export const ACTITO_KEY = 'sandbox-actito-key';

export interface Sandboxes {
	meta: { url: string; close(): Promise<void> };
	actito: { url: string; close(): Promise<void> };
	metaCredentials: { accessToken: string; apiVersion: string; baseUrl: string; appSecret?: string };
	actitoCredentials: { apiKey: string; environment: string; baseUrl: string; entity: string };
	metaControl(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<any>;
	actitoControl(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<any>;
	close(): Promise<void>;
}

export async function startSandboxes(): Promise<Sandboxes> {
	const meta = await startMetaSandbox({ port: 0 });
	// Generous licence: the node tests are about behaviour, not about Actito's slowdown.
	const actito = await startActitoSandbox({ port: 0, callsPerMinute: 100_000, slowdownMs: 0 });
	return {
		meta,
		actito,
		metaCredentials: { accessToken: META_TOKEN, apiVersion: 'v26.0', baseUrl: meta.url },
		actitoCredentials: { apiKey: ACTITO_KEY, environment: 'custom', baseUrl: actito.url, entity: 'acme' },
		metaControl: (method, path, body) => controlCall(meta.url, method, `/__sandbox/${path}`, body),
		actitoControl: (method, path, body) => controlCall(actito.url, method, `/__sandbox/${path}`, body),
		close: async () => {
			await meta.close();
			await actito.close();
		},
	};
}

export interface MetaLogEntry {
	method: string;
	path: string;
	status: number;
	operation?: string;
	rows?: number;
	fault?: boolean;
	code?: number;
	audienceId?: string;
}

export async function metaRequests(s: Sandboxes): Promise<MetaLogEntry[]> {
	return (await s.metaControl('GET', 'requests')).requests;
}

export const UPLOAD_OPS = new Set(['add', 'remove', 'replace']);

export async function metaUploads(s: Sandboxes): Promise<MetaLogEntry[]> {
	return (await metaRequests(s)).filter((r) => r.operation && UPLOAD_OPS.has(r.operation));
}

export async function createMetaAudience(s: Sandboxes, name: string, extra: Record<string, unknown> = {}): Promise<string> {
	const out = await s.metaControl('POST', 'seed', { audiences: [{ adAccountId: AD_ACCOUNT, name, ...extra }] });
	return out.audiences[0];
}

export async function metaMembers(s: Sandboxes, audienceId: string): Promise<{ schema: string[] | null; rows: string[][]; count: number }> {
	return s.metaControl('GET', `audiences/${audienceId}/members`);
}

export const VIP = 'Audiences:VIP';
export const DEFAULT_COUNTRY = 'BE';

export interface RawProfile {
	profileId: string;
	attributes: Record<string, unknown>;
	segments: string[];
	deleted: boolean;
}

/** Meta's rows for the wanted profiles (docs/DESIGN.md, "Sync semantics"), computed from the raw profiles. */
export function wantedRows(list: RawProfile[]): string[][] {
	const rows: string[][] = [];
	for (const p of list) {
		if (p.deleted || !p.segments.includes(VIP)) continue;
		// The sandbox stores consent as true, false or absent.
		if (p.attributes.marketingConsent === false) continue;
		const country = typeof p.attributes.country === 'string' ? p.attributes.country : undefined;
		const email = hashIdentifier('EMAIL', p.attributes.emailAddress);
		const phone = hashIdentifier('PHONE', p.attributes.gsmNumber, { country, defaultCountry: DEFAULT_COUNTRY });
		if (!email && !phone) continue;
		rows.push([p.profileId, email, phone]);
	}
	return rows.sort(byId);
}

export function byId(a: string[], b: string[]) {
	return Number(a[0]) - Number(b[0]);
}

/** Members wanted now with a valid e-mail: safe to reason about. */
export function wantedWithEmail(list: RawProfile[]): RawProfile[] {
	const wanted = new Set(wantedRows(list).map((r) => r[0]));
	return list.filter((p) => wanted.has(p.profileId) && hashIdentifier('EMAIL', p.attributes.emailAddress) !== '');
}

/** Profiles outside VIP that would be wanted if they joined. */
export function outsiders(list: RawProfile[]): RawProfile[] {
	return list.filter(
		(p) => !p.deleted && !p.segments.includes(VIP) && p.attributes.marketingConsent === true && hashIdentifier('EMAIL', p.attributes.emailAddress) !== '',
	);
}
