import type {
	IAuthenticateGeneric,
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestHelper,
	INodeProperties,
} from 'n8n-workflow';

export const ACTITO_HOSTS: Record<string, string> = {
	brussels: 'https://api.actito.com',
	northAmerica: 'https://api1.actito.com',
	paris: 'https://api3.actito.com',
	preProduction: 'https://api-pre1.actito.com',
};

export class ActitoApi implements ICredentialType {
	name = 'actitoApi';

	displayName = 'Actito API';

	icon = { light: 'file:actito.svg', dark: 'file:actito.dark.svg' } as const;

	documentationUrl = 'https://developers.actito.com/docs/integration-framework/authentication';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'An API key of the Actito licence (Settings → API keys). It is exchanged for 15-minute tokens.',
		},
		{
			displayName: 'Hosting Environment',
			name: 'environment',
			type: 'options',
			default: 'brussels',
			options: [
				{ name: 'Brussels (api.actito.com)', value: 'brussels' },
				{ name: 'Custom', value: 'custom', description: 'A proxy, or the local sandbox of this package' },
				{ name: 'North America (api1.actito.com)', value: 'northAmerica' },
				{ name: 'Paris (api3.actito.com)', value: 'paris' },
				{ name: 'Pre-Production (api-pre1.actito.com)', value: 'preProduction' },
			],
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'http://127.0.0.1:40124',
			required: true,
			displayOptions: { show: { environment: ['custom'] } },
		},
		{
			displayName: 'Entity',
			name: 'entity',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'acme',
			description: 'The Actito entity (partition of the licence) that holds the profile table',
		},
		{
			// Filled by preAuthentication so that the credential also works in the HTTP Request node.
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		const base =
			credentials.environment === 'custom'
				? String(credentials.baseUrl).replace(/\/+$/, '')
				: (ACTITO_HOSTS[String(credentials.environment)] ?? ACTITO_HOSTS.brussels);
		const answer = (await this.helpers.httpRequest({
			method: 'GET',
			url: `${base}/auth/token`,
			headers: { Authorization: String(credentials.apiKey) },
			json: true,
		})) as { accessToken?: string };
		return { accessToken: answer.accessToken ?? '' };
	}

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: { Authorization: '=Bearer {{$credentials.accessToken}}' },
		},
	};
}
