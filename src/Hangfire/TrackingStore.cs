using System.Globalization;
using global::Hangfire;
using global::Hangfire.Storage;

namespace AsyncTasks.Hangfire;

/// <summary>
/// One tracking's state in Hangfire's storage: a hash under <c>asynctasks:tracking:{id}</c> of plain text and
/// numbers (the task reference's text, the tag, counters and Unix-millisecond times), never a key or a snapshot.
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

        return new TrackingRecord
        {
            Id = id,
            Task = TaskRef.Parse(task),
            Tag = fields.GetValueOrDefault("tag") is { Length: > 0 } tag ? tag : null,
            State = Enum.Parse<TrackingState>(fields["state"], ignoreCase: true),
            Attempts = int.Parse(fields["attempts"], CultureInfo.InvariantCulture),
            Interval = TimeSpan.FromMilliseconds(long.Parse(fields["interval"], CultureInfo.InvariantCulture)),
            Timeout = TimeSpan.FromMilliseconds(long.Parse(fields["timeout"], CultureInfo.InvariantCulture)),
            Deadline = Time(fields["deadline"]),
            NextPollAt = fields.TryGetValue("next", out var next) && next.Length > 0 ? Time(next) : null,
            NextJobId = fields.GetValueOrDefault("job") is { Length: > 0 } job ? job : null,
            Outcome = fields.GetValueOrDefault("outcome") is { Length: > 0 } outcome ? outcome : null,
        };
    }

    /// <summary>Writes every field; once the tracking has ended, the record expires after <paramref name="retention"/>.</summary>
    public void Write(IStorageConnection connection, TimeSpan retention)
    {
        using var transaction = connection.CreateWriteTransaction();
        transaction.SetRangeInHash(Key(Id), Fields());
        if (State != TrackingState.Polling && transaction is JobStorageTransaction expiring)
        {
            expiring.ExpireHash(Key(Id), retention);
        }

        transaction.Commit();
    }

    /// <summary>
    /// Writes what a poll that is not final changes (attempts, interval, next poll, next job), never the state: polls
    /// run without the lock, and a late one must not bring a completed or cancelled tracking back to polling.
    /// </summary>
    public void WritePoll(IStorageConnection connection)
    {
        using var transaction = connection.CreateWriteTransaction();
        transaction.SetRangeInHash(Key(Id), PollFields());
        transaction.Commit();
    }

    public static void Delete(IStorageConnection connection, string id)
    {
        using var transaction = connection.CreateWriteTransaction();
        transaction.RemoveHash(Key(id));
        transaction.Commit();
    }

    public TrackingStatus ToStatus() =>
        new(Id, Task, Tag, State, Attempts, State == TrackingState.Polling ? NextPollAt : null, Deadline, Outcome);

    private Dictionary<string, string> Fields()
    {
        var fields = PollFields();
        fields["task"] = Task.ToString();
        fields["tag"] = Tag ?? string.Empty;
        fields["state"] = State.ToString().ToLowerInvariant();
        fields["timeout"] = Millis(Timeout);
        fields["deadline"] = Deadline.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        fields["outcome"] = Outcome ?? string.Empty;
        return fields;
    }

    private Dictionary<string, string> PollFields() => new(StringComparer.Ordinal)
    {
        ["attempts"] = Attempts.ToString(CultureInfo.InvariantCulture),
        ["interval"] = Millis(Interval),
        ["next"] = NextPollAt?.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) ?? string.Empty,
        ["job"] = NextJobId ?? string.Empty,
    };

    private static string Millis(TimeSpan value) => ((long)value.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);

    private static DateTimeOffset Time(string unixMilliseconds) =>
        DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(unixMilliseconds, CultureInfo.InvariantCulture));
}
