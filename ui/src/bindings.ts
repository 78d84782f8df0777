// Generated from src-tauri/src/ipc.rs by ts-rs. Do not edit: run
// `UPDATE_BINDINGS=1 cargo test -p s3aw-desktop bindings` after changing the Rust types.

export type IpcError = { code: string, message: string, };

export type ShellCode = "not_connected" | "stale_plan" | "no_key" | "no_handoff" | "no_link" | "no_sandbox" | "not_found" | "clipboard" | "invalid_input" | "other";

export type InterruptedDto = { id: string, 
/**
 * "A change was interrupted on 7 Dec at 14:02 UTC: …", with what is known of each step begun.
 */
description: string, };

export type TriedDto = "download" | "upload" | "upload_sse_c" | "list" | "delete";

export type WhyDto = { cause: string, message: string, fix: string | null, decidedBy: Array<string>, };

export type RecoveryPlanDto = { id: string, description: string, 
/**
 * It finishes the change (else it undoes it).
 */
finishes: boolean, steps: Array<string>, notes: Array<string>, };

export type RecoveredDto = { finished: boolean, done: Array<string>, left: Array<string>, };

export type AppInfo = { version: string, 
/**
 * The local sandbox endpoint when `make run` started one; the connect screen offers it.
 */
sandboxEndpoint: string | null, keychainService: string, 
/**
 * Test builds only: the save dialog is replaced by a fixed folder (WebDriver cannot drive native
 * dialogs), so the UI must not open it.
 */
saveDialogStandIn: boolean, };

export type ProfileKindDto = "keys" | "sso" | "login" | "assume-role" | "process" | "web-identity" | "other";

export type ProfileDto = { name: string, kind: ProfileKindDto, region: string | null, 
/**
 * Sign-in profiles only (console and Identity Center): whether there is a session to use, whose it
 * is, and when its current credentials or token expire (RFC 3339).
 */
signedIn: boolean | null, identity: string | null, expiresAt: string | null, };

export type LevelDto = "read" | "upload" | "read-write" | "full";

export type GrantKind = "iam-user" | "role";

export type EncryptionChoice = "keep" | "sse-s3" | "sse-kms";

export type VersioningDto = "enabled" | "suspended" | "off";

export type KeyStatus = "Active" | "Inactive";

export type AccessKind = "iam-user" | "role" | "imported" | "share";

export type AccessState = "exists" | "deleted" | "unchecked";

export type LinkMethod = "GET" | "PUT";

export type ConnectArgs = { "kind": "default", region: string | null, endpoint: string | null, } | { "kind": "profile", profile: string, region: string | null, endpoint: string | null, } | { "kind": "keys", accessKeyId: string, secretAccessKey: string, sessionToken: string | null, region: string | null, endpoint: string | null, 
/**
 * Remember these keys: the secret in the keychain, the key id in the app's settings.
 */
remember: boolean, } | { "kind": "saved", accessKeyId: string, region: string | null, endpoint: string | null, } | { "kind": "sandbox" };

export type SavedConnectionDto = { accessKeyId: string, account: string, arn: string, };

export type ConnectionDto = { account: string, arn: string, region: string, endpoint: string | null, isSandbox: boolean, };

export type SignInArgs = { "kind": "console", profile: string, region: string, remote: boolean, } | { "kind": "sso", startUrl: string, ssoRegion: string, } | { "kind": "again", profile: string, };

export type SignInStartDto = { attemptId: number, authorizeUrl: string | null, remote: boolean, reused: SignInDoneDto | null, };

export type SsoAccountDto = { accountId: string, name: string, email: string, };

export type SignInDoneDto = { "type": "connected", connection: ConnectionDto, profile: string, identity: string, account: string, until: string, 
/**
 * `until` is the latest the session can last (AWS may end it sooner), not a fixed end.
 */
untilIsLatest: boolean, } | { "type": "chooseAccount", accounts: Array<SsoAccountDto>, until: string, };

export type SsoUseRoleArgs = { accountId: string, roleName: string, profile: string, region: string | null, };

export type JobDto = "grant" | "links" | "manage" | "settings";

export type MissingDto = { job: JobDto, 
/**
 * The job in plain words.
 */
description: string, actions: Array<string>, };

export type PermissionCheckDto = { checked: boolean, reason: string | null, missing: Array<MissingDto>, };

export type BucketDto = { name: string, region: string | null, };

export type CorsRuleDto = { 
/**
 * The rule's ID on the bucket, kept as it was (null for a new rule).
 */
id: string | null, allowedOrigins: Array<string>, allowedMethods: Array<string>, allowedHeaders: Array<string>, exposeHeaders: Array<string>, maxAgeSeconds: number | null, };

export type GrantArgs = { kind: GrantKind, bucket: string, prefix: string | null, level: LevelDto, allowList: boolean, 
/**
 * The IAM user's name, or the role's.
 */
userName: string, policyName: string, 
/**
 * A separate managed policy instead of the default inline one (IAM users only).
 */
managedPolicy: boolean, cors: CorsRuleDto | null, createBucketRegion: string | null, 
/**
 * For a role: the other party's account ID or principal ARN, the external ID, the longest session.
 */
otherAccount: string | null, externalId: string | null, maxSessionHours: number | null, 
/**
 * When the access ends, and where it may be used from (none when left out).
 */
limits: LimitsArgs, 
/**
 * Create this policy (a vendor's guide's, as pasted) instead of the least-privilege one.
 */
pastedPolicy: string | null, };

export type LimitsArgs = { endsInDays: number | null, 
/**
 * `YYYY-MM-DD`: access ends at the start of that day, UTC.
 */
endsOn: string | null, sourceIps: Array<string>, };

export type CardLineDto = { 
/**
 * Stable: `list_folder`, `list_other_folders`, `download`, `upload`, `replace`, `delete`,
 * `other_folders`, `public_or_lock`, `bucket_settings`, `other_buckets`, `other_services`, `ends`,
 * `source_ips`, `conditions`, `download_shared`.
 */
code: string, question: string, 
/**
 * For yes/no lines; null for the end date, the addresses and the other conditions.
 */
allowed: boolean | null, answer: string, };

export type SeverityDto = "error" | "security-warning" | "warning" | "suggestion";

export type FindingDto = { policy: string, severity: SeverityDto, code: string, message: string, learnMore: string | null, };

export type ChecksDto = { checked: boolean, summary: string, blocks: boolean, findings: Array<FindingDto>, };

export type ReminderDto = { id: string, label: string, endsAt: string, 
/**
 * `2026-12-31 00:00 UTC`.
 */
endsText: string, expired: boolean, };

export type KitKind = "rclone" | "cyberduck";

export type IacFormatDto = "cloudformation-yaml" | "cloudformation-json" | "terraform";

export type GuideProposalDto = { kind: GrantKind, level: LevelDto, noList: boolean, prefix: string | null, corsOrigins: Array<string>, account: string | null, externalId: string | null, 
/**
 * The guide speaks of an external ID without giving one: ask the user for the vendor's.
 */
externalIdAsked: boolean, };

export type GuideFindingDto = { code: string, message: string, line: number, quote: string, 
/**
 * "Create exactly as pasted" is refused while this finding holds.
 */
blocksAsPasted: boolean, };

export type GuideReadingDto = { asks: Array<string>, findings: Array<GuideFindingDto>, proposal: GuideProposalDto, 
/**
 * The guide's permission policy (pretty JSON), which "create exactly what was pasted" would use.
 */
pastedPolicy: string | null, };

export type RecipeDto = { vendor: string, purpose: string, proposal: GuideProposalDto, dashboardAsksFor: Array<string>, };

export type ShareArgs = { bucket: string, prefix: string | null, files: Array<string>, expiresSeconds: number, };

export type ShareOutcomeDto = { ok: boolean, id: string | null, links: Array<LinkDto>, endsText: string | null, failure: FailureDto | null, };

export type DropBoxArgs = { bucket: string, folder: string, 
/**
 * `100MB`, `2GB`, `500KB`.
 */
maxSize: string, contentType: string | null, expiresSeconds: number, signer: string | null, };

export type StepDto = { call: string, summary: string, undo: string, 
/**
 * The JSON document the call sends, pretty-printed, if any.
 */
document: string | null, };

export type PlanDto = { 
/**
 * Which plan this is: `apply_plan` runs it only while it is the one the app holds.
 */
id: number, headline: string, steps: Array<StepDto>, notes: Array<string>, policy: string | null, 
/**
 * Whether the secret will be saved in the keychain (false when the keychain is unavailable).
 */
savesToKeychain: boolean, 
/**
 * Why the keychain cannot be used, when it cannot.
 */
keychainProblem: string | null, 
/**
 * What the access will be able to do (empty when the plan grants none).
 */
can: Array<CardLineDto>, 
/**
 * IAM Access Analyzer's check of every policy the plan writes.
 */
checks: ChecksDto, };

export type ProgressDto = { "type": "started", index: number, total: number, summary: string, } | { "type": "succeeded", index: number, detail: string | null, } | { "type": "failed", index: number, message: string, } | { "type": "rollbackStarted", steps: number, } | { "type": "undone", index: number, summary: string, } | { "type": "undoFailed", index: number, summary: string, message: string, };

export type FailureDto = { step: number, summary: string, code: string, message: string, rolledBack: Array<string>, leftBehind: Array<string>, };

export type HandoffSheetDto = { roleArn: string, externalId: string, bucket: string, prefix: string | null, level: string, region: string, trusted: string, 
/**
 * The policy the other party attaches to their own principal (pretty JSON).
 */
theirPolicy: string, };

export type HandoffFormat = "markdown" | "json";

export type LoggingDto = { bucket: string, prefix: string, };

export type BucketSettingsDto = { bucket: string, region: string, 
/**
 * "S3-managed keys (SSE-S3)" or "the KMS key … (SSE-KMS)"; null when off.
 */
encryption: string | null, kmsKeyId: string | null, blocksPublicAccess: boolean, tlsOnly: boolean, versioning: VersioningDto, policyStatements: number, logging: LoggingDto | null, cors: Array<CorsRuleDto>, };

export type CorsEditDto = { basedOn: Array<CorsRuleDto>, rules: Array<CorsRuleDto>, };

export type SettingsArgs = { bucket: string, blockPublicAccess: boolean, encryption: EncryptionChoice, kmsKeyArn: string | null, tlsOnly: boolean, versioning: boolean, logging: LoggingDto | null, corsEdit: CorsEditDto | null, };

export type ObjectDto = { key: string, size: number, lastModified: string | null, };

export type ObjectPageDto = { folders: Array<string>, objects: Array<ObjectDto>, };

export type ListedDto = { folders: number, objects: number, };

export type SignerDto = { accessKeyId: string, label: string, };

export type SignerInfoDto = { 
/**
 * Temporary credentials (SSO, an assumed role, a session token): links die with them.
 */
temporary: boolean, expiresAt: string | null, };

export type PresignArgs = { bucket: string, keys: Array<string>, upload: boolean, contentType: string | null, expiresSeconds: number, 
/**
 * A saved key's id, or null for the connected identity.
 */
signer: string | null, };

export type LinkDto = { key: string, method: LinkMethod, url: string, expiresAt: string, cutShort: boolean, curl: string, };

export type DropBoxSavedDto = { path: string, 
/**
 * Plain words ("2026-12-01 10:00 UTC").
 */
endsText: string, note: string | null, };

export type LinkTestDto = { works: boolean, status: number, message: string, };

export type ApplyOutcomeDto = { ok: boolean, userName: string | null, 
/**
 * The access's id in "My access" (what "Use from AWS CLI and SDKs" names).
 */
accessId: string | null, accessKeyId: string | null, 
/**
 * `ACCOUNT/USER/KEY_ID` in the keychain, when saved.
 */
keychainEntry: string | null, 
/**
 * For a role: what to hand to the other party.
 */
handoff: HandoffSheetDto | null, 
/**
 * Steps that merged into a document someone changed after the review (nothing in it was lost).
 */
remerged: Array<string>, failure: FailureDto | null, };

export type WaitDto = { "type": "notYet", attempt: number, waitedSeconds: number, budgetSeconds: number, };

export type WaitResultDto = { works: boolean, attempts: number, message: string, };

export type KeyStateDto = { accessKeyId: string, 
/**
 * null when AWS no longer has the key (or it was not checked).
 */
status: KeyStatus | null, created: string | null, lastUsed: string | null, lastUsedService: string | null, inKeychain: boolean, recorded: boolean, 
/**
 * Whole days since AWS made the key.
 */
ageDays: number | null, 
/**
 * Active and older than the age keys should be rotated at (`rotate_after_days`).
 */
rotationDue: boolean, rotateAfterDays: number, };

export type AccessDto = { id: string, kind: AccessKind, label: string, account: string, createdAt: string, userName: string | null, roleName: string | null, bucket: string, prefix: string | null, 
/**
 * null for an imported key.
 */
level: LevelDto | null, state: AccessState, stateDetail: string | null, keys: Array<KeyStateDto>, 
/**
 * The policy as it is in the account now (pretty JSON).
 */
policy: string | null, 
/**
 * When it ends (RFC 3339 UTC) and the same for people; whether it has ended, or ends within a week.
 */
endsAt: string | null, endsText: string | null, expired: boolean, endsSoon: boolean, sourceIps: Array<string>, 
/**
 * What it can do, from its policy as it is in the account now (empty when that could not be read).
 */
can: Array<CardLineDto>, 
/**
 * For a share of files: their keys (empty for a share of a folder, and for everything else).
 */
shareFiles: Array<string>, };

export type RotatePlanDto = { oldKeyId: string, steps: Array<string>, 
/**
 * The inactive key deleted first to make room (AWS allows two keys per user).
 */
deletesInactiveKey: string | null, };

export type RotateFailureDto = { summary: string, message: string, 
/**
 * Which key works now.
 */
working: string, left: Array<string>, clean: boolean, };

export type RotateOutcomeDto = { ok: boolean, userName: string | null, accessId: string, newAccessKeyId: string | null, keychainEntry: string | null, oldAccessKeyId: string, oldDeleted: boolean, failure: RotateFailureDto | null, };

export type StepLineDto = { call: string, summary: string, };

export type RevokePlanDto = { label: string, steps: Array<StepLineDto>, 
/**
 * What stays, with why.
 */
kept: Array<string>, };

export type RevokeOutcomeDto = { ok: boolean, failedSummary: string | null, message: string | null, done: Array<string>, remaining: Array<string>, };

export type HandoverDto = { accessId: string, userName: string, accessKeyId: string, keychainEntry: string, };

export type SignedOutDto = { profile: string, cacheRemoved: boolean, keptFor: Array<string>, endedAtAws: boolean | null, };
