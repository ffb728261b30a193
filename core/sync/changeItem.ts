// The change item that flows between the nodes of the hourly template (docs/DESIGN.md).

export type ChangeAction = 'add' | 'remove';
export type ChangeReason =
	| 'joined'
	| 'left'
	| 'deleted'
	| 'identifiers_changed'
	| 'consent_withdrawn'
	| 'reconcile';

export const CHANGE_REASONS: readonly ChangeReason[] = [
	'joined',
	'left',
	'deleted',
	'identifiers_changed',
	'consent_withdrawn',
	'reconcile',
];

export interface ChangeItem {
	profileId: string;
	action: ChangeAction;
	reason: ChangeReason;
	marketingConsent: boolean | null;
	link: string;
	email?: string;
	phone?: string;
	country?: string;
	firstName?: string;
	lastName?: string;
	birthDate?: string;
	sex?: string;
	[field: string]: unknown;
}

/** Identifier fields a change item may carry, in the names the nodes use. */
export const IDENTIFIER_FIELDS = ['email', 'phone', 'country', 'firstName', 'lastName', 'birthDate', 'sex'] as const;

/**
 * Which change-item field feeds which Meta key: the mapping Hash Identifiers is set up with in an
 * item chain. The planner puts each key's Actito value in this field (carriedFieldsOf in
 * core/sync/planner.ts), so that Hash Identifiers builds the row decideProfile fingerprinted.
 */
export const DEFAULT_FIELD_MAP: Record<string, string> = {
	EXTERN_ID: 'profileId',
	EMAIL: 'email',
	PHONE: 'phone',
	FN: 'firstName',
	LN: 'lastName',
	FI: 'firstName',
	GEN: 'sex',
	DOBY: 'birthDate',
	DOBM: 'birthDate',
	DOBD: 'birthDate',
	COUNTRY: 'country',
};

export const DEFAULT_SCHEMA = ['EXTERN_ID', 'EMAIL', 'PHONE'];
