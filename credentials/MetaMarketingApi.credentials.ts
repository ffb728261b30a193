import { createHmac } from 'crypto';
import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

export class MetaMarketingApi implements ICredentialType {
	name = 'metaMarketingApi';

	displayName = 'Meta Marketing API';

	icon = { light: 'file:meta.svg', dark: 'file:meta.dark.svg' } as const;

	documentationUrl = 'https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences';

	properties: INodeProperties[] = [
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'A system-user token with the ads_management permission on the ad account (Business Settings → System users → Generate token)',
		},
		{
			displayName: 'App Secret',
			name: 'appSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Optional. When set, every request carries appsecret_proof and appsecret_time, as apps that require app-secret proof demand.',
		},
		{
			displayName: 'API Version',
			name: 'apiVersion',
			type: 'string',
			default: 'v26.0',
			description: 'Marketing API version. Versions expire about a year after release (error 2635).',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://graph.facebook.com',
			description: 'Change only to point at a proxy or at the local sandbox of this package',
		},
	];

	// A function rather than a generic block: the app-secret proof is an HMAC that must be
	// computed per request (Meta refuses proofs older than five minutes).
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const token = String(credentials.accessToken ?? '');
		const headers = { ...(requestOptions.headers ?? {}), Authorization: `Bearer ${token}` };
		const appSecret = String(credentials.appSecret ?? '');
		if (!appSecret) return { ...requestOptions, headers };
		const time = Math.floor(Date.now() / 1000);
		const proof = createHmac('sha256', appSecret).update(`${token}|${time}`).digest('hex');
		return {
			...requestOptions,
			headers,
			qs: { ...(requestOptions.qs ?? {}), appsecret_proof: proof, appsecret_time: time },
		};
	}
}
