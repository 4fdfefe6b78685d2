// The UI's only door to the backend. Every call returns a `Result` and never
// throws, whatever the IPC layer does. Views import from here, not from the
// generated bindings, so a command that does not exist yet has one place to live.

import {
  commands,
  type Account_Serialize,
  type ActivityFilter_Deserialize,
  type ActivityItem_Serialize,
  type AppInfo_Serialize,
  type AttemptRecord_Serialize,
  type ConnectStart_Serialize,
  type MediaRef_Serialize,
  type Platform,
  type PlatformCheck_Serialize,
  type PlatformInfo_Serialize,
  type Post_Serialize,
  type PostInput_Deserialize,
  type Settings_Deserialize,
  type Settings_Serialize,
  type TimeRange,
} from "./bindings";
import { settle, type Result } from "./result";

export type Post = Post_Serialize;
export type Account = Account_Serialize;
export type AppInfo = AppInfo_Serialize;
export type Settings = Settings_Serialize;
export type PostInput = PostInput_Deserialize;
export type PlatformInfo = PlatformInfo_Serialize;
export type ConnectStart = ConnectStart_Serialize;
export type PlatformCheck = PlatformCheck_Serialize;
export type ActivityItem = ActivityItem_Serialize;
export type ActivityFilter = ActivityFilter_Deserialize;
export type AttemptRecord = AttemptRecord_Serialize;
export type MediaRef = MediaRef_Serialize;

export const api = {
  appInfo: (): Promise<Result<AppInfo>> => settle(() => commands.appInfo()),
  listPosts: (range: TimeRange): Promise<Result<Post[]>> => settle(() => commands.listPosts(range)),
  listUnscheduledDrafts: (): Promise<Result<Post[]>> =>
    settle(() => commands.listUnscheduledDrafts()),
  getPost: (id: number): Promise<Result<Post>> => settle(() => commands.getPost(id)),
  createPost: (input: PostInput): Promise<Result<Post>> => settle(() => commands.createPost(input)),
  updatePost: (id: number, input: PostInput): Promise<Result<Post>> =>
    settle(() => commands.updatePost(id, input)),
  reschedulePost: (id: number, scheduledAt: string | null, zone: string): Promise<Result<Post>> =>
    settle(() => commands.reschedulePost(id, scheduledAt, zone)),
  deletePost: (id: number): Promise<Result<null>> => settle(() => commands.deletePost(id)),
  listAccounts: (): Promise<Result<Account[]>> => settle(() => commands.listAccounts()),
  getSettings: (): Promise<Result<Settings>> => settle(() => commands.getSettings()),
  saveSettings: (settings: Settings_Deserialize): Promise<Result<Settings>> =>
    settle(() => commands.saveSettings(settings)),

  /** How many posts exist, drafts included (drives the calendar's "No posts yet" notice). */
  postCount: (): Promise<Result<number>> => settle(() => commands.postCount()),

  platformCatalog: (): Promise<Result<PlatformInfo[]>> => settle(() => commands.platformCatalog()),
  setPlatformClient: (
    platform: Platform,
    clientId: string,
    clientSecret: string | null,
  ): Promise<Result<PlatformInfo>> =>
    settle(() => commands.setPlatformClient(platform, clientId, clientSecret)),
  /** Opens the platform's sign-in page in the browser; the outcome arrives as `connectResult`. */
  connectAccount: (platform: Platform): Promise<Result<ConnectStart>> =>
    settle(() => commands.connectAccount(platform)),
  disconnectAccount: (accountId: number): Promise<Result<null>> =>
    settle(() => commands.disconnectAccount(accountId)),
  checkPost: (input: PostInput): Promise<Result<PlatformCheck[]>> =>
    settle(() => commands.checkPost(input)),
  listActivity: (filter: ActivityFilter): Promise<Result<ActivityItem[]>> =>
    settle(() => commands.listActivity(filter)),
  listAttempts: (targetId: number): Promise<Result<AttemptRecord[]>> =>
    settle(() => commands.listAttempts(targetId)),
  retryTarget: (targetId: number): Promise<Result<null>> =>
    settle(() => commands.retryTarget(targetId)),
  confirmPublished: (targetId: number): Promise<Result<null>> =>
    settle(() => commands.confirmPublished(targetId)),
  importMediaFiles: (paths: string[]): Promise<Result<MediaRef[]>> =>
    settle(() => commands.importMediaFiles(paths)),
  importMediaBytes: (name: string, base64: string): Promise<Result<MediaRef>> =>
    settle(() => commands.importMediaBytes(name, base64)),
  openPublished: (targetId: number): Promise<Result<null>> =>
    settle(() => commands.openPublished(targetId)),
  openSandboxPage: (): Promise<Result<null>> => settle(() => commands.openSandboxPage()),
  cancelConnect: (platform: Platform): Promise<Result<null>> =>
    settle(() => commands.cancelConnect(platform)),
  takeOpenPost: (): Promise<Result<number | null>> => settle(() => commands.takeOpenPost()),
  openQuickPost: (): Promise<Result<null>> => settle(() => commands.openQuickPost()),
  closeQuickPost: (): Promise<Result<null>> => settle(() => commands.closeQuickPost()),
};
