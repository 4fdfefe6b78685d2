// The UI's only door to the backend. Every call returns a `Result` and never
// throws, whatever the IPC layer does. Views import from here, not from the
// generated bindings, so a command that does not exist yet has one place to live.

import {
  commands,
  type Account_Serialize,
  type ActivityFilter_Deserialize,
  type ActivityItem_Serialize,
  type AnalyticsQuery_Deserialize,
  type AnalyticsReport_Serialize,
  type AppInfo_Serialize,
  type AttemptRecord_Serialize,
  type BudgetUse as BudgetUseT,
  type Capabilities_Serialize,
  type ConnectStart_Serialize,
  type ConnectStarted_Serialize,
  type DeleteScope,
  type MediaHostConfig_Deserialize,
  type MediaHostStatus_Serialize,
  type MediaHostTest_Serialize,
  type MediaRef_Serialize,
  type MediaRule_Serialize,
  type MetricValue as MetricValueT,
  type Platform,
  type PickWhat,
  type PlatformCheck_Serialize,
  type PlatformInfo_Serialize,
  type PlatformOptions_Serialize,
  type Post_Serialize,
  type PostAnalytics_Serialize,
  type PostInput_Deserialize,
  type PostingInfo_Serialize,
  type SettingsPatch_Deserialize,
  type Settings_Serialize,
  type Target_Serialize,
  type TargetOptions_Deserialize,
  type TargetOptions_Serialize,
  type TimeRange,
  type WindowMark,
} from "./bindings";
import { settle, type Result } from "./result";

export type Post = Post_Serialize;
export type Account = Account_Serialize;
export type AppInfo = AppInfo_Serialize;
export type Settings = Settings_Serialize;
export type PostInput = PostInput_Deserialize;
export type PlatformInfo = PlatformInfo_Serialize;
export type ConnectStart = ConnectStart_Serialize;
/** A sign-in that started, and why the browser could not be opened at it (null when it was). */
export type ConnectStarted = ConnectStarted_Serialize;
export type PlatformCheck = PlatformCheck_Serialize;
export type ActivityItem = ActivityItem_Serialize;
export type ActivityFilter = ActivityFilter_Deserialize;
export type AttemptRecord = AttemptRecord_Serialize;
export type MediaRef = MediaRef_Serialize;
export type Target = Target_Serialize;
export type Capabilities = Capabilities_Serialize;
export type MediaRule = MediaRule_Serialize;
/** One network's options for a target, every field present (as the backend sends them). */
export type NetworkOptions = PlatformOptions_Serialize;
export type TargetOptions = TargetOptions_Serialize;
export type SettingsPatch = SettingsPatch_Deserialize;
/** What an account may post right now, as its network says (TikTok's creator info). */
export type PostingInfo = PostingInfo_Serialize;
/** One published post on one network, with its numbers (the Analytics view's row). */
export type PostAnalytics = PostAnalytics_Serialize;
/** One number about a post: the shared key, the network's name for it. */
export type MetricValue = MetricValueT;
/** What the Analytics view asks for: a period, an account or all, the creator's zone. */
export type AnalyticsQuery = AnalyticsQuery_Deserialize;
export type AnalyticsReport = AnalyticsReport_Serialize;
/** How much of a network's monthly read allowance is used. */
export type BudgetUse = BudgetUseT;
export type { DeleteScope };

export const api = {
  appInfo: (): Promise<Result<AppInfo>> => settle(() => commands.appInfo()),
  /** A mark for the startup trace; a failure to report it changes nothing. */
  startupMark: (mark: WindowMark): Promise<Result<null>> =>
    settle(() => commands.startupMark(mark)),
  listPosts: (range: TimeRange): Promise<Result<Post[]>> => settle(() => commands.listPosts(range)),
  listUnscheduledDrafts: (): Promise<Result<Post[]>> =>
    settle(() => commands.listUnscheduledDrafts()),
  getPost: (id: number): Promise<Result<Post>> => settle(() => commands.getPost(id)),
  createPost: (input: PostInput): Promise<Result<Post>> => settle(() => commands.createPost(input)),
  updatePost: (id: number, input: PostInput): Promise<Result<Post>> =>
    settle(() => commands.updatePost(id, input)),
  reschedulePost: (id: number, scheduledAt: string | null, zone: string): Promise<Result<Post>> =>
    settle(() => commands.reschedulePost(id, scheduledAt, zone)),
  /** Deletes a post: from CreatorFlow only, or from the networks where it is live too. */
  deletePost: (id: number, scope: DeleteScope): Promise<Result<null>> =>
    settle(() => commands.deletePost(id, scope)),
  /** Deletes one published target at its network (the post stays in CreatorFlow). */
  deleteAtNetwork: (targetId: number): Promise<Result<null>> =>
    settle(() => commands.deleteAtNetwork(targetId)),
  /** Changes a live target's text and network options at its network. */
  updateAtNetwork: (targetId: number, options: TargetOptions_Deserialize): Promise<Result<null>> =>
    settle(() => commands.updateAtNetwork(targetId, options)),
  listAccounts: (): Promise<Result<Account[]>> => settle(() => commands.listAccounts()),
  getSettings: (): Promise<Result<Settings>> => settle(() => commands.getSettings()),
  /** Saves only the fields in `patch`; the rest stay as whoever last changed them left them. */
  updateSettings: (patch: SettingsPatch): Promise<Result<Settings>> =>
    settle(() => commands.updateSettings(patch)),

  /** How many posts exist, drafts included (drives the calendar's "No posts yet" notice). */
  postCount: (): Promise<Result<number>> => settle(() => commands.postCount()),

  platformCatalog: (): Promise<Result<PlatformInfo[]>> => settle(() => commands.platformCatalog()),
  setPlatformClient: (
    platform: Platform,
    clientId: string,
    clientSecret: string | null,
  ): Promise<Result<PlatformInfo>> =>
    settle(() => commands.setPlatformClient(platform, clientId, clientSecret)),
  /**
   * Starts a sign-in and opens its page in the browser; the outcome arrives as
   * `connectResult`. The sign-in waits even when the browser could not be
   * opened (`browserError` says why): the creator can open the link themselves.
   */
  connectAccount: (platform: Platform): Promise<Result<ConnectStarted>> =>
    settle(() => commands.connectAccount(platform)),
  disconnectAccount: (accountId: number): Promise<Result<null>> =>
    settle(() => commands.disconnectAccount(accountId)),
  checkPost: (input: PostInput): Promise<Result<PlatformCheck[]>> =>
    settle(() => commands.checkPost(input)),
  /**
   * What an account may post right now, asked of its network live (TikTok's
   * creator info); null where the network has no such limits. Can fail (network, reconnect).
   */
  postingInfo: (accountId: number): Promise<Result<PostingInfo | null>> =>
    settle(() => commands.postingInfo(accountId)),
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
  /** Opens the system's file picker; the picked paths (empty if it was closed). */
  pickMediaPaths: (what: PickWhat): Promise<Result<string[]>> =>
    settle(() => commands.pickMediaPaths(what)),
  /** An image pasted from the clipboard (pictures only), as base64. */
  pasteImage: (name: string, base64: string): Promise<Result<MediaRef>> =>
    settle(() => commands.pasteImage(name, base64)),
  /** A thumbnail of an attached image, as a data: URL. */
  mediaPreview: (mediaId: number): Promise<Result<string>> =>
    settle(() => commands.mediaPreview(mediaId)),
  openPublished: (targetId: number): Promise<Result<null>> =>
    settle(() => commands.openPublished(targetId)),
  openSandboxPage: (): Promise<Result<null>> => settle(() => commands.openSandboxPage()),
  openPlatformPage: (url: string): Promise<Result<null>> =>
    settle(() => commands.openPlatformPage(url)),
  cancelConnect: (platform: Platform): Promise<Result<null>> =>
    settle(() => commands.cancelConnect(platform)),
  takeOpenPost: (): Promise<Result<number | null>> => settle(() => commands.takeOpenPost()),
  openQuickPost: (): Promise<Result<null>> => settle(() => commands.openQuickPost()),
  closeQuickPost: (): Promise<Result<null>> => settle(() => commands.closeQuickPost()),

  /** The media host's settings, whether a secret is saved (never the secret), files there. */
  getMediaHost: (): Promise<Result<MediaHostStatus_Serialize>> =>
    settle(() => commands.getMediaHost()),
  /** Saves the media host; `secretAccessKey` goes to the keychain (null keeps the saved one). */
  setMediaHost: (
    config: MediaHostConfig_Deserialize,
    secretAccessKey: string | null,
  ): Promise<Result<MediaHostStatus_Serialize>> =>
    settle(() => commands.setMediaHost(config, secretAccessKey)),
  /** Forgets the media host; CreatorFlow's files there are deleted first. */
  clearMediaHost: (): Promise<Result<MediaHostStatus_Serialize>> =>
    settle(() => commands.clearMediaHost()),
  /** Uploads a small file, fetches it as a network would, deletes it. */
  testMediaHost: (): Promise<Result<MediaHostTest_Serialize>> =>
    settle(() => commands.testMediaHost()),

  /** One post's numbers on each network it went out on, with every snapshot. */
  postAnalytics: (postId: number): Promise<Result<PostAnalytics[]>> =>
    settle(() => commands.postAnalytics(postId)),
  /** The posts published in a period, their numbers, sums per day and the read allowances. */
  analytics: (query: AnalyticsQuery): Promise<Result<AnalyticsReport>> =>
    settle(() => commands.analytics(query)),
  /** Writes the period's posts as a CSV file in Downloads; its path. */
  exportAnalytics: (query: AnalyticsQuery): Promise<Result<string>> =>
    settle(() => commands.exportAnalytics(query)),
};
