// The node side of the core's HTTP interface: a Transport on n8n's request helper, and the
// two API clients built from their credentials. Nodes never call the services otherwise.

import type { ICredentialDataDecryptedObject, IHttpRequestOptions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { ACTITO_HOSTS } from '../../credentials/ActitoApi.credentials';
import { ActitoClient, sharedMinuteWindow } from '../../core/actito/actitoClient';
import { lowerCaseHeaders, parseBody, type Transport } from '../../core/http';
import { MetaClient } from '../../core/meta/metaClient';

interface HttpHelperHost {
	helpers: { httpRequest(options: IHttpRequestOptions): Promise<unknown> };
}

interface CredentialHost {
	getCredentials(type: string, itemIndex?: number): Promise<ICredentialDataDecryptedObject>;
}

export function n8nTransport(host: HttpHelperHost): Transport {
	return async (request) => {
		const options: IHttpRequestOptions = {
			method: request.method,
			url: request.url,
			headers: { ...(request.headers ?? {}) },
			qs: request.qs as IHttpRequestOptions['qs'],
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: request.timeoutMs ?? 120_000,
		};
		if (request.body !== undefined) {
			options.body = JSON.stringify(request.body);
			options.headers = { ...options.headers, 'content-type': 'application/json' };
		}
		const response = (await host.helpers.httpRequest(options)) as {
			statusCode: number;
			headers: Record<string, unknown>;
			body: unknown;
		};
		const body = Buffer.isBuffer(response.body) ? response.body.toString('utf8') : response.body;
		return { status: response.statusCode, headers: lowerCaseHeaders(response.headers), body: parseBody(body) };
	};
}

export function actitoBaseUrl(credentials: ICredentialDataDecryptedObject): string {
	if (credentials.environment === 'custom') return String(credentials.baseUrl ?? '').replace(/\/+$/, '');
	return ACTITO_HOSTS[String(credentials.environment)] ?? ACTITO_HOSTS.brussels;
}

export interface ClientOptions {
	/** Longest total wait for throttling within one call (ms). */
	maxWaitMs?: number;
	callsPerMinute?: number;
	maxInFlight?: number;
}

export async function actitoClientFrom(
	host: HttpHelperHost & CredentialHost,
	options: ClientOptions = {},
): Promise<ActitoClient> {
	const credentials = await host.getCredentials('actitoApi');
	const apiKey = String(credentials.apiKey ?? '');
	const baseUrl = actitoBaseUrl(credentials);
	return new ActitoClient({
		credentials: { apiKey, baseUrl, entity: String(credentials.entity ?? '') },
		transport: n8nTransport(host),
		sleep,
		maxInFlight: options.maxInFlight,
		callsPerMinute: options.callsPerMinute,
		// A licence share given (the Sync step's, Log Interaction's of a link): every step and run of
		// this process on the same licence counts in one rolling minute.
		minuteWindow: options.callsPerMinute !== undefined ? sharedMinuteWindow(baseUrl, apiKey) : undefined,
		retry: options.maxWaitMs !== undefined ? { maxTotalWaitMs: options.maxWaitMs } : undefined,
	});
}

export function metaCredentialsFrom(credentials: ICredentialDataDecryptedObject) {
	return {
		accessToken: String(credentials.accessToken ?? ''),
		appSecret: credentials.appSecret ? String(credentials.appSecret) : undefined,
		apiVersion: String(credentials.apiVersion || 'v26.0'),
		baseUrl: String(credentials.baseUrl || 'https://graph.facebook.com').replace(/\/+$/, ''),
	};
}

export async function metaClientFrom(host: HttpHelperHost & CredentialHost, options: ClientOptions = {}): Promise<MetaClient> {
	const credentials = await host.getCredentials('metaMarketingApi');
	return new MetaClient({
		credentials: metaCredentialsFrom(credentials),
		transport: n8nTransport(host),
		sleep,
		retry: options.maxWaitMs !== undefined ? { maxTotalWaitMs: options.maxWaitMs } : undefined,
	});
}

/**
 * A Transport for credential tests, whose context offers only the legacy `request` helper.
 */
export function requestTransport(host: { helpers: { request(options: object): Promise<unknown> } }): Transport {
	return async (request) => {
		const response = (await host.helpers.request({
			method: request.method,
			uri: request.url,
			qs: request.qs,
			headers: request.headers,
			body: request.body,
			json: true,
			simple: false,
			resolveWithFullResponse: true,
			timeout: request.timeoutMs ?? 30_000,
		})) as { statusCode: number; headers: Record<string, unknown>; body: unknown };
		return { status: response.statusCode, headers: lowerCaseHeaders(response.headers), body: parseBody(response.body) };
	};
}
