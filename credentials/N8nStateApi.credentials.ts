import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

// Only for n8n 2.x in queue mode: a worker there runs each scheduled execution with empty static
// data (the execution carries no copy and the worker reloads none), so the Sync step reads the
// link's stored state from the database through n8n's own public API instead
// (nodes/shared/stateSource.ts). Not needed on a regular n8n or on 1.x queue mode.
export class N8nStateApi implements ICredentialType {
	name = 'n8nStateApi';

	displayName = 'N8n Link State in Queue Mode API';

	icon = { light: 'file:n8nState.svg', dark: 'file:n8nState.dark.svg' } as const;

	documentationUrl = 'https://docs.n8n.io/api/authentication/';

	properties: INodeProperties[] = [
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'http://127.0.0.1:5678',
			required: true,
			placeholder: 'http://n8n-main:5678',
			description:
				'Address of this n8n instance as the workers reach it (the main, or any process that serves the public API), without /api/v1',
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'An n8n API key (Settings → n8n API → Create an API key) of a user who can read these workflows, with the scope workflow:read',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { 'X-N8N-API-KEY': '={{$credentials.apiKey}}' } },
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/api/v1/workflows',
			qs: { limit: 1 },
		},
	};
}
