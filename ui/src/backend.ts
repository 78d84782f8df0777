// The one module the UI talks to the app through. `tauriBackend` calls the Rust commands; `fakeBackend`
// (fakeBackend.ts, loaded only outside the app) answers in memory, so the UI runs in a plain browser (vite
// dev) and in tests without the app.

import type {
  InterruptedDto,
  SignedOutDto,
  TriedDto,
  WhyDto,
  RecoveredDto,
  RecoveryPlanDto,
  AccessDto,
  AppInfo,
  ApplyOutcomeDto,
  BucketDto,
  BucketSettingsDto,
  ConnectArgs,
  ConnectionDto,
  CorsRuleDto,
  GrantArgs,
  GuideReadingDto,
  HandoffFormat,
  HandoverDto,
  JobDto,
  PermissionCheckDto,
  IpcError,
  DropBoxArgs,
  DropBoxSavedDto,
  IacFormatDto,
  KitKind,
  LevelDto,
  LimitsArgs,
  LinkDto,
  LinkTestDto,
  ListedDto,
  ObjectPageDto,
  PresignArgs,
  RecipeDto,
  ReminderDto,
  ShareArgs,
  ShareOutcomeDto,
  SignerDto,
  SignerInfoDto,
  PlanDto,
  ProfileDto,
  ProgressDto,
  RevokeOutcomeDto,
  RevokePlanDto,
  RotateOutcomeDto,
  RotatePlanDto,
  SavedConnectionDto,
  SettingsArgs,
  SignInArgs,
  SignInDoneDto,
  SignInStartDto,
  SsoUseRoleArgs,
  WaitDto,
  WaitResultDto,
} from "./bindings";
// Imported statically: one module less to fetch before the first screen.
import { Channel, invoke } from "@tauri-apps/api/core";

export interface Backend {
  appInfo(): Promise<AppInfo>;
  /** The first screen is drawn (the app reports it for start-up timing). */
  uiReady(screen: string): Promise<void>;
  listProfiles(): Promise<ProfileDto[]>;
  connect(args: ConnectArgs): Promise<ConnectionDto>;
  /** Start a browser sign-in (the app opens the browser unless it is remote); then wait, or finish with a code. */
  signInStart(args: SignInArgs): Promise<SignInStartDto>;
  signInWait(attemptId: number): Promise<SignInDoneDto>;
  signInFinish(attemptId: number, code: string): Promise<SignInDoneDto>;
  signInCancel(attemptId: number): Promise<void>;
  ssoRoles(accountId: string): Promise<string[]>;
  ssoUseRole(args: SsoUseRoleArgs): Promise<SignInDoneDto>;
  signOut(profile: string): Promise<SignedOutDto>;
  listSavedConnections(): Promise<SavedConnectionDto[]>;
  forgetConnection(accessKeyId: string): Promise<void>;
  listBuckets(): Promise<BucketDto[]>;
  listFolders(bucket: string, prefix: string): Promise<string[]>;
  policyPreview(bucket: string, prefix: string | null, level: LevelDto, allowList: boolean, limits: LimitsArgs): Promise<string>;
  bucketCors(bucket: string): Promise<CorsRuleDto[]>;
  planGrant(args: GrantArgs): Promise<PlanDto>;
  /** Read a vendor's guide (pasted or opened): what it asks, what is too broad, the proposal. No AWS call. */
  readGuide(text: string): Promise<GuideReadingDto>;
  /** Read a vendor's recipe file. */
  readRecipe(text: string): Promise<RecipeDto>;
  /** Apply the plan with this id (the one on screen); the app refuses any other. */
  applyPlan(planId: number, onEvent: (p: ProgressDto) => void): Promise<ApplyOutcomeDto>;
  /** The plan on screen is no longer shown: the app forgets it. */
  discardPlan(planId: number): Promise<void>;
  revealSecret(): Promise<string>;
  copySecret(): Promise<void>;
  /** Save the key as CSV where the user chooses (the app opens the save dialog); null when cancelled. */
  saveCsv(importable: boolean): Promise<string | null>;
  addAwsProfile(name: string): Promise<string>;
  /** Save an rclone remote or a Cyberduck bookmark for the key on screen (the app opens the save dialog). */
  saveKit(kind: KitKind): Promise<string | null>;
  waitForKey(onEvent: (w: WaitDto) => void): Promise<WaitResultDto>;
  generateExternalId(): Promise<string>;
  // Links
  listObjects(bucket: string, prefix: string, onPage: (p: ObjectPageDto) => void): Promise<ListedDto>;
  savedSigners(): Promise<SignerDto[]>;
  signerInfo(signer: string | null): Promise<SignerInfoDto>;
  presignLinks(args: PresignArgs): Promise<LinkDto[]>;
  testLink(index: number): Promise<LinkTestDto>;
  /** Plan a share (links signed with a key made for them); `createShare` applies exactly that plan. */
  planShare(args: ShareArgs): Promise<PlanDto>;
  createShare(planId: number, onEvent: (p: ProgressDto) => void): Promise<ShareOutcomeDto>;
  extendShare(id: string, expiresSeconds: number): Promise<ShareOutcomeDto>;
  /** Sign a drop-box form and save its upload page where the user chooses; null when cancelled. */
  saveDropBox(args: DropBoxArgs): Promise<DropBoxSavedDto | null>;
  /** Save the plan on screen as CloudFormation or Terraform (it stays appliable); null when cancelled. */
  exportPlanIac(planId: number, format: IacFormatDto): Promise<string[] | null>;
  /** Save an access in My access as CloudFormation or Terraform, marked for import. */
  exportAccessIac(id: string, format: IacFormatDto): Promise<string[] | null>;
  /** Links for a whole folder, saved as CSV where the user chooses; null when cancelled. */
  presignFolderCsv(bucket: string, prefix: string, expiresSeconds: number, signer: string | null, onProgress: (n: number) => void): Promise<string | null>;
  bucketSettings(bucket: string): Promise<BucketSettingsDto>;
  /** Plan a settings change; `applyPlan` applies it. */
  planSettings(args: SettingsArgs): Promise<PlanDto>;
  /** What the connected identity lacks for the app's jobs (IAM's policy simulator). */
  checkPermissions(): Promise<PermissionCheckDto>;
  /** The least-privilege policy (JSON) for using the app for these jobs. */
  permissionsPolicy(jobs: JobDto[]): Promise<string>;
  /** Copy text that is not secret (a role ARN, an external ID). */
  copyText(text: string): Promise<void>;
  saveHandoff(format: HandoffFormat): Promise<string | null>;
  // My access
  listAccess(): Promise<AccessDto[]>;
  /** Accesses that ended or end within a week, from this computer's record (no connection needed). */
  accessReminders(): Promise<ReminderDto[]>;
  /** "Someone gets an error…": the most likely cause of what the other side saw or tried (reads only). */
  whyDenied(id: string, action: TriedDto | null, key: string | null, errorText: string): Promise<WhyDto>;
  /** Changes that were interrupted (the app or a command died mid-way), from the journal (no connection needed). */
  interruptedChanges(): Promise<InterruptedDto[]>;
  /** How an interrupted change would be finished or undone (reads the account; changes nothing). */
  planRecovery(id: string): Promise<RecoveryPlanDto>;
  /** Run the recovery reviewed with planRecovery. */
  runRecovery(id: string, onEvent: (p: ProgressDto) => void): Promise<RecoveredDto>;
  planRotate(id: string): Promise<RotatePlanDto>;
  rotateKey(onEvent: (p: ProgressDto) => void): Promise<RotateOutcomeDto>;
  deleteAccessKey(id: string, accessKeyId: string, cutOffSessions: boolean): Promise<void>;
  planRevoke(id: string, adopt: boolean, keepSessions: boolean): Promise<RevokePlanDto>;
  revoke(onEvent: (p: ProgressDto) => void): Promise<RevokeOutcomeDto>;
  importKey(args: { accessKeyId?: string; secretAccessKey?: string; csv?: string }): Promise<string>;
  selectSavedKey(id: string, accessKeyId: string): Promise<HandoverDto>;
  /** A `credential_process` profile that names the access (so a rotation keeps it working). */
  useFromAws(accessId: string, profile: string): Promise<string>;
}

/** An error from the backend, with the engine's stable code. */
export class BackendError extends Error {
  constructor(
    public code: string,
    message: string,
  ) {
    super(message);
  }
}

function toError(e: unknown): BackendError {
  if (e && typeof e === "object" && "code" in e && "message" in e) {
    const ie = e as IpcError;
    return new BackendError(ie.code, ie.message);
  }
  return new BackendError("other", String(e));
}

/** The global the app sets before the page's scripts run (src-tauri/src/commands.rs, `app_info_script`). */
const APP_INFO_GLOBAL = "__S3AW_APP_INFO__";

export function tauriBackend(): Backend {
  const call = async <T>(cmd: string, args?: Record<string, unknown>): Promise<T> => {
    try {
      return await invoke<T>(cmd, args);
    } catch (e) {
      throw toError(e);
    }
  };
  /** A command that streams events over a channel while it runs. */
  const streaming = <T, E>(cmd: string, args: Record<string, unknown>, channelArg: string, onEvent: (e: E) => void): Promise<T> => {
    const ch = new Channel<E>();
    ch.onmessage = onEvent;
    return call<T>(cmd, { ...args, [channelArg]: ch });
  };
  return {
    appInfo: async () => {
      const info = (window as unknown as Record<string, AppInfo | undefined>)[APP_INFO_GLOBAL];
      if (!info) throw new BackendError("other", "The app did not give the window its settings. Start S3 Access Wizard again.");
      return info;
    },
    uiReady: (screen) => call("ui_ready", { screen }),
    listProfiles: () => call("list_profiles"),
    connect: (args) => call("connect", { args }),
    signInStart: (args) => call("sign_in_start", { args }),
    signInWait: (attemptId) => call("sign_in_wait", { attemptId }),
    signInFinish: (attemptId, code) => call("sign_in_finish", { attemptId, code }),
    signInCancel: (attemptId) => call("sign_in_cancel", { attemptId }),
    ssoRoles: (accountId) => call("sso_roles", { accountId }),
    ssoUseRole: (args) => call("sso_use_role", { args }),
    signOut: (profile) => call("sign_out", { profile }),
    listSavedConnections: () => call("list_saved_connections"),
    forgetConnection: (accessKeyId) => call("forget_connection", { accessKeyId }),
    listBuckets: () => call("list_buckets"),
    listFolders: (bucket, prefix) => call("list_folders", { bucket, prefix }),
    policyPreview: (bucket, prefix, level, allowList, limits) => call("policy_preview", { bucket, prefix, level, allowList, limits }),
    bucketCors: (bucket) => call("bucket_cors", { bucket }),
    planGrant: (args) => call("plan_grant", { args }),
    readGuide: (text) => call("read_guide", { text }),
    readRecipe: (text) => call("read_recipe", { text }),
    applyPlan: (planId, onEvent) => streaming("apply_plan", { planId }, "onEvent", onEvent),
    discardPlan: (planId) => call("discard_plan", { planId }),
    revealSecret: () => call("reveal_secret"),
    copySecret: () => call("copy_secret"),
    saveCsv: (importable) => call("save_csv", { importable }),
    addAwsProfile: (name) => call("add_aws_profile", { name }),
    waitForKey: (onEvent) => streaming("wait_for_key", {}, "onEvent", onEvent),
    generateExternalId: () => call("generate_external_id"),
    listObjects: (bucket, prefix, onPage) => streaming("list_objects", { bucket, prefix }, "onPage", onPage),
    savedSigners: () => call("saved_signers"),
    signerInfo: (signer) => call("signer_info", { signer }),
    presignLinks: (args) => call("presign_links", { args }),
    testLink: (index) => call("test_link", { index }),
    planShare: (args) => call("plan_share", { args }),
    createShare: (planId, onEvent) => streaming("create_share", { planId }, "onEvent", onEvent),
    extendShare: (id, expiresSeconds) => call("extend_share", { id, expiresSeconds }),
    saveDropBox: (args) => call("save_drop_box", { args }),
    exportPlanIac: (planId, format) => call("export_plan_iac", { planId, format }),
    exportAccessIac: (id, format) => call("export_access_iac", { id, format }),
    presignFolderCsv: (bucket, prefix, expiresSeconds, signer, onProgress) => streaming("presign_folder_csv", { bucket, prefix, expiresSeconds, signer }, "onProgress", onProgress),
    bucketSettings: (bucket) => call("bucket_settings", { bucket }),
    planSettings: (args) => call("plan_settings", { args }),
    copyText: (text) => call("copy_text", { text }),
    checkPermissions: () => call("check_permissions"),
    permissionsPolicy: (jobs) => call("permissions_policy", { jobs }),
    saveHandoff: (format) => call("save_handoff", { format }),
    saveKit: (kind) => call("save_kit", { kind }),
    listAccess: () => call("list_access"),
    accessReminders: () => call("access_reminders"),
    whyDenied: (id, action, key, errorText) => call("why_denied", { id, action, key, errorText }),
    interruptedChanges: () => call("interrupted_changes"),
    planRecovery: (id) => call("plan_recovery", { id }),
    runRecovery: (id, onEvent) => streaming("run_recovery", { id }, "onEvent", onEvent),
    planRotate: (id) => call("plan_rotate", { id }),
    rotateKey: (onEvent) => streaming("rotate_key", {}, "onEvent", onEvent),
    deleteAccessKey: (id, accessKeyId, cutOffSessions) => call("delete_access_key", { id, accessKeyId, cutOffSessions }),
    planRevoke: (id, adopt, keepSessions) => call("plan_revoke", { id, adopt, keepSessions }),
    revoke: (onEvent) => streaming("revoke", {}, "onEvent", onEvent),
    importKey: (args) => call("import_key", { accessKeyId: args.accessKeyId ?? null, secretAccessKey: args.secretAccessKey ?? null, csv: args.csv ?? null }),
    selectSavedKey: (id, accessKeyId) => call("select_saved_key", { id, accessKeyId }),
    useFromAws: (accessId, profile) => call("use_from_aws", { id: accessId, profile }),
  };
}
