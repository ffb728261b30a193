import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { applyAcceptedBatch, finishRun, replaceMembers } from '../../../../core/sync/commit';
import { sendableAction } from '../../../../core/sync/consent';
import { claimAudience } from '../../../../core/sync/linkMarker';
import { uploadChanges, UploadInputError, type UploadRow } from '../../../../core/sync/uploader';
import { emptyState, parseLink, readState, writeState, type OpenState } from '../../../../core/state/syncState';
import { toNodeError } from '../../../shared/errors';
import { linkStateBucket } from '../../../shared/stateSource';
import { metaClientFrom } from '../../../shared/transport';
import { getAudienceId, maxWaitOption } from '../../shared';

export function syncOptions(operation: 'syncMembers' | 'replaceMembers'): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show: { operation: [operation] } },
		options: [
			{
				displayName: 'Batch Size',
				name: 'batchSize',
				type: 'number',
				default: 10000,
				typeOptions: { minValue: 1, maxValue: 10000 },
				description: 'Rows per upload call (Meta takes at most 10,000)',
			},
			{
				displayName: 'Commit to Sync State',
				name: 'commitState',
				type: 'boolean',
				default: true,
				description:
					'Whether to record what Meta accepted in the workflow’s static data, for items planned by Actito Audience → Get Changes (they carry a link)',
			},
			{
				displayName: 'Dry Run',
				name: 'dryRun',
				type: 'boolean',
				default: false,
				description: 'Whether to do everything but the upload calls, and show the batches that would be sent',
			},
			{
				displayName: 'Hashed Field',
				name: 'metaField',
				type: 'string',
				default: 'meta',
				description: 'Field written by Hash Identifiers (schema and row)',
			},
			maxWaitOption,
			{
				displayName: 'Upload in Editor Test Runs',
				name: 'uploadWhenManual',
				type: 'boolean',
				default: false,
				description:
					'Whether test runs started in the editor really upload. Off: they are dry runs, because n8n gives them no sync state and they would re-send every member.',
			},
		],
	};
}

interface SyncParams {
	batchSize?: number;
	commitState?: boolean;
	dryRun?: boolean;
	maxWaitMinutes?: number;
	metaField?: string;
	uploadWhenManual?: boolean;
}

/** Sync Members and Replace Members: one summary item for all input items. */
export async function executeUpload(
	this: IExecuteFunctions,
	requestedMode: 'sync' | 'replace',
): Promise<INodeExecutionData[]> {
	let mode = requestedMode;
	const items = this.getInputData();
	const audienceId = getAudienceId(this, 0);
	const options = { ...(this.getNodeParameter('options', 0, {}) as SyncParams) };
	// Editor test runs neither load nor save static data: without the state they would plan
	// every member again, so by default they only show what they would send.
	if (this.getMode() === 'manual' && !options.uploadWhenManual) options.dryRun = true;
	const metaField = options.metaField || 'meta';
	const pairedItem = items.map((_, i) => ({ item: i }));
	const now = () => new Date().toISOString();

	const rows: UploadRow[] = [];
	const links = new Set<string>();
	const itemErrors: IDataObject[] = [];
	for (let i = 0; i < items.length; i++) {
		const json = items[i].json as IDataObject;
		const meta = json[metaField] as IDataObject | undefined;
		const action = sendableAction(String(json.action ?? 'add').toLowerCase(), json.marketingConsent);
		const problem = !meta || !Array.isArray(meta.schema) || !Array.isArray(meta.row)
			? `Item ${i} has no hashed row in "${metaField}"`
			: action !== 'add' && action !== 'remove'
				? `Item ${i} has action "${action}", expected add or remove`
				: null;
		if (problem) {
			const error = new NodeOperationError(this.getNode(), problem, {
				itemIndex: i,
				description: 'Put a Hash Identifiers node before this one; its output carries meta.schema and meta.row.',
			});
			if (!this.continueOnFail()) throw error;
			itemErrors.push({ itemIndex: i, error: problem });
			continue;
		}
		if (typeof json.link === 'string') links.add(json.link);
		rows.push({
			index: i,
			profileId: json.profileId === undefined ? undefined : String(json.profileId),
			action: action as 'add' | 'remove',
			schema: (meta!.schema as unknown[]).map(String),
			row: (meta!.row as unknown[]).map((v) => (v === null || v === undefined ? '' : String(v))),
			invalid: (meta!.invalid as Record<string, string>) ?? undefined,
		});
	}

	const commit = options.commitState !== false && !options.dryRun && links.size > 0;
	if (links.size > 1) {
		throw new NodeOperationError(this.getNode(), `The items come from ${links.size} different audience links`, {
			description: 'One Sync Members step takes the changes of one Actito audience: use one workflow per audience.',
		});
	}
	const link = [...links][0];
	let open: OpenState | null = null;
	const bucket = await linkStateBucket.call(this);
	if (commit && link) {
		const parsed = parseLink(link);
		if (parsed && parsed.metaAudienceId !== audienceId) {
			throw new NodeOperationError(
				this.getNode(),
				`The changes were planned for Meta audience ${parsed.metaAudienceId}, but this node sends to ${audienceId}`,
				{ description: 'Set the same Meta audience in Actito Audience → Get Changes and in this node.' },
			);
		}
		try {
			open = readState(bucket, link);
		} catch (error) {
			throw toNodeError(this.getNode(), error);
		}
		if (!open) {
			if (!parsed) {
				throw new NodeOperationError(this.getNode(), `The items' link "${link}" is not an audience link`, {
					description: 'Turn off "Commit to Sync State", or plan the changes with Actito Audience → Get Changes.',
				});
			}
			open = { state: emptyState(parsed.actito, parsed.metaAudienceId), members: new Map(), isNew: true };
		}
		const schema = rows[0]?.schema;
		if (schema && open.state.schema && open.state.schema.join(',') !== schema.join(',')) {
			throw new NodeOperationError(
				this.getNode(),
				`This audience was filled with the schema [${open.state.schema.join(', ')}], the items carry [${schema.join(', ')}]`,
				{
					description:
						'Meta keeps one schema per audience (error 2650 otherwise). Restore the Hash Identifiers mapping, or sync into a new audience.',
				},
			);
		}
	}

	// Meta showed uploads the state did not know (a killed or overlapping run): this run's plan
	// is the whole wanted set, sent through usersreplace.
	if (open?.state.replacePending && mode === 'sync') mode = 'replace';

	const client = await metaClientFrom(this, {
		maxWaitMs: Math.max(0, options.maxWaitMinutes ?? 15) * 60_000,
	});

	let summary;
	try {
		if (link && !options.dryRun && rows.length) {
			const audience = await client.getAudience(audienceId, ['id', 'name', 'description']);
			const description = claimAudience(audienceId, audience.description, link);
			if (description !== null) await client.updateAudience(audienceId, { description });
		}
		summary = await uploadChanges(client, rows, {
			audienceId,
			batchSize: options.batchSize,
			dryRun: options.dryRun,
			mode,
			sessionKind: open ? 'hourly' : 'items',
			onBatchAccepted: open
				? (batch) => (mode === 'replace' ? replaceMembers : applyAcceptedBatch)(open!, batch, now())
				: undefined,
		});
	} catch (error) {
		if (open) {
			finishRun(open, { error: (error as Error).message, now: now() });
			writeState(bucket, open);
		}
		const itemIndex = error instanceof UploadInputError ? error.itemIndex : undefined;
		throw toNodeError(this.getNode(), error, itemIndex);
	}

	let run: IDataObject | undefined;
	if (open) {
		if (summary.status !== 'error' && summary.schema.length) open.state.schema = summary.schema;
		run = finishRun(open, { summary, now: now() }) as unknown as IDataObject;
		writeState(bucket, open);
	}

	const details: IDataObject = {
		audienceId,
		link: link ?? null,
		operation: mode === 'replace' ? 'replaceMembers' : 'syncMembers',
		status: summary.status,
		sent: summary.sent,
		received: summary.received,
		invalidAtMeta: summary.invalidAtMeta,
		skippedNoIdentifier: summary.skippedNoIdentifier,
		coverage: summary.coverage,
		invalidByReason: summary.invalidByReason,
		sessions: summary.sessions,
		batches: summary.batches as unknown as IDataObject[],
		requests: summary.requests,
		durationMs: summary.durationMs,
		...(itemErrors.length ? { itemErrors } : {}),
		...(run ? { run, memberCount: open!.members.size, syncedAt: open!.state.syncedAt } : {}),
		...(summary.error ? { error: summary.error as unknown as IDataObject } : {}),
		...(summary.removalsRefused
			? { removalsRefused: summary.removalsRefused, warning: summary.warning as unknown as IDataObject }
			: {}),
	};

	if (summary.status === 'error' && !this.continueOnFail()) {
		const e = summary.error!;
		throw toNodeError(this.getNode(), {
			name: 'MetaApiError',
			message: `${e.message} (after ${summary.sent.remove} removals and ${summary.sent.add} additions were accepted; the next run sends the rest)`,
			hint: e.hint,
			code: e.code,
			subcode: e.subcode,
			kind: e.kind,
		});
	}
	return [{ json: details, pairedItem }];
}
