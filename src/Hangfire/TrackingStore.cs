using System.Globalization;
using global::Hangfire;
using global::Hangfire.Storage;

namespace AsyncTasks.Hangfire;

/// <summary>
/// One tracking's state in Hangfire's storage: a hash under <c>asynctasks:tracking:{id}</c> of plain text and
/// numbers (the task reference's text, the tag, counters and Unix-millisecond times), never a key or a snapshot. What
/// a poll changes is one field (<c>poll</c>), so a poll writes one hash row.
/// </summary>
internal sealed class TrackingRecord
{
    public const string KeyPrefix = "asynctasks:tracking:";

    public required string Id { get; init; }

    public required TaskRef Task { get; init; }

    public string? Tag { get; init; }

    public required TrackingState State { get; set; }

    /// <summary>Polls made; the poll job carrying this number is the only one allowed to run next.</summary>
    public int Attempts { get; set; }

    /// <summary>The current poll interval (PollBackoff's interval, before jitter).</summary>
    public TimeSpan Interval { get; set; }

    public required TimeSpan Timeout { get; init; }

    public required DateTimeOffset Deadline { get; init; }

    public DateTimeOffset? NextPollAt { get; set; }

    /// <summary>The Hangfire job of the next poll, deleted by Cancel.</summary>
    public string? NextJobId { get; set; }

    public string? Outcome { get; set; }

    public static string Key(string id) => KeyPrefix + id;

    /// <summary>The lock that keeps two polls (and two handler calls) of one tracking from running at once.</summary>
    public static string LockResource(string id) => KeyPrefix + id + ":lock";

    public static TrackingRecord? Read(IStorageConnection connection, string id)
    {
        var fields = connection.GetAllEntriesFromHash(Key(id));
        if (fields is null || !fields.TryGetValue("task", out var task))
        {
            return null;
        }

        // "poll" is "attempts;interval;next;job" (milliseconds, Unix milliseconds, Hangfire's job id; the last two empty when none).
        var poll = fields["poll"].Split(';');
        return new TrackingRecord
        {
            Id = id,
            Task = TaskRef.Parse(task),
            Tag = fields.GetValueOrDefault("tag") is { Length: > 0 } tag ? tag : null,
            State = Enum.Parse<TrackingState>(fields["state"], ignoreCase: true),
            Attempts = int.Parse(poll[0], CultureInfo.InvariantCulture),
            Interval = TimeSpan.FromMilliseconds(long.Parse(poll[1], CultureInfo.InvariantCulture)),
            Timeout = TimeSpan.FromMilliseconds(long.Parse(fields["timeout"], CultureInfo.InvariantCulture)),
            Deadline = Time(fields["deadline"]),
            NextPollAt = poll[2].Length > 0 ? Time(poll[2]) : null,
            NextJobId = poll[3].Length > 0 ? poll[3] : null,
            Outcome = fields.GetValueOrDefault("outcome") is { Length: > 0 } outcome ? outcome : null,
        };
    }

    /// <summary>Writes every field, when the tracking starts.</summary>
    public void Create(IStorageConnection connection) => Write(connection, new(StringComparer.Ordinal)
    {
        ["task"] = Task.ToString(),
        ["tag"] = Tag ?? string.Empty,
        ["timeout"] = Millis(Timeout),
        ["deadline"] = Deadline.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
        ["state"] = StateField(),
        ["outcome"] = Outcome ?? string.Empty,
        ["poll"] = PollField(),
    });

    /// <summary>
    /// Writes the end of the tracking (state, outcome, last poll) and lets the record expire after
    /// <paramref name="retention"/>. The fields set at the start never change and are not written again: Hangfire.PostgreSql
    /// runs one statement per hash field.
    /// </summary>
    public void End(IStorageConnection connection, TimeSpan retention) => Write(
        connection,
        new(StringComparer.Ordinal) { ["state"] = StateField(), ["outcome"] = Outcome ?? string.Empty, ["poll"] = PollField() },
        retention);

    /// <summary>
    /// Writes what a poll that is not final changes (attempts, interval, next poll, next job: one field), never the
    /// state: polls run without the lock, and a late one must not bring a completed or cancelled tracking back to polling.
    /// </summary>
    public void WritePoll(IStorageConnection connection) =>
        Write(connection, new(StringComparer.Ordinal) { ["poll"] = PollField() });

    public static void Delete(IStorageConnection connection, string id)
    {
        using var transaction = connection.CreateWriteTransaction();
        transaction.RemoveHash(Key(id));
        transaction.Commit();
    }

    public TrackingStatus ToStatus() =>
        new(Id, Task, Tag, State, Attempts, State == TrackingState.Polling ? NextPollAt : null, Deadline, Outcome);

    private void Write(IStorageConnection connection, Dictionary<string, string> fields, TimeSpan? expireIn = null)
    {
        using var transaction = connection.CreateWriteTransaction();
        transaction.SetRangeInHash(Key(Id), fields);
        if (expireIn is { } retention && transaction is JobStorageTransaction expiring)
        {
            expiring.ExpireHash(Key(Id), retention);
        }

        transaction.Commit();
    }

    private string StateField() => State.ToString().ToLowerInvariant();

    private string PollField() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Attempts};{Millis(Interval)};{NextPollAt?.ToUnixTimeMilliseconds()};{NextJobId}");

    private static string Millis(TimeSpan value) => ((long)value.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);

    private static DateTimeOffset Time(string unixMilliseconds) =>
        DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(unixMilliseconds, CultureInfo.InvariantCulture));
}
