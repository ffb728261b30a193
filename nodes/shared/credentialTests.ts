// Credential tests as functions rather than declarative requests: a refused Meta token then
// shows Meta's own message and the fix (not "Bad Request"), and an Actito key is checked
// together with its entity. Registered on every node that uses the credential, because n8n
// takes the test from the first such node it finds.

import type { ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';

import { ActitoApi } from '../../core/actito/actitoApi';
import { ActitoClient } from '../../core/actito/actitoClient';
import { MetaClient } from '../../core/meta/metaClient';
import { actitoBaseUrl, metaCredentialsFrom, requestTransport } from './transport';

const noWait = async () => {};

export async function metaMarketingApiTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const client = new MetaClient({
		credentials: metaCredentialsFrom(credential.data ?? {}),
		transport: requestTransport(this),
		sleep: noWait,
		retry: { maxAttempts: 1 },
	});
	try {
		await client.listAdAccounts({});
		return { status: 'OK', message: 'Connection successful' };
	} catch (error) {
		const e = error as { message?: string; hint?: string };
		return { status: 'Error', message: [e.message, e.hint].filter(Boolean).join(' — ') };
	}
}

export async function actitoApiTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const data = credential.data ?? {};
	const client = new ActitoClient({
		credentials: { apiKey: String(data.apiKey ?? ''), baseUrl: actitoBaseUrl(data), entity: String(data.entity ?? '') },
		transport: requestTransport(this),
		sleep: noWait,
		retry: { maxAttempts: 1 },
	});
	try {
		const entities = await new ActitoApi(client).listEntities();
		if (!entities.includes(client.entity)) {
			return {
				status: 'Error',
				message: `Entity "${client.entity}" is not in this licence. Entities this key sees: ${entities.join(', ') || 'none'}. Fix the Entity field.`,
			};
		}
		return { status: 'OK', message: 'Connection successful' };
	} catch (error) {
		return { status: 'Error', message: (error as Error).message };
	}
}

export const credentialTest = { metaMarketingApiTest, actitoApiTest };
