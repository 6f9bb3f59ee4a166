namespace AsyncTasks;

/// <summary>Reads, waits for and downloads the results of tasks at any supported provider.</summary>
/// <remarks>
/// Implemented by <see cref="TaskClient"/>. Every method is safe to call concurrently. Failures of the provider
/// or the network are thrown as <see cref="TaskClientException"/>; a task that ends failed is not an exception
/// but a snapshot whose <see cref="TaskSnapshot.State"/> says so.
/// </remarks>
public interface ITaskClient
{
    /// <summary>Reads the task once.</summary>
    /// <param name="task">The task.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The task's current snapshot.</returns>
    /// <exception cref="TaskClientException">The provider or the network failed (after the configured retries).</exception>
    /// <exception cref="InvalidOperationException">The provider is not configured (no key, or no base URL for tencent-vod).</exception>
    /// <exception cref="ArgumentException">The task id cannot be sent to that provider (e.g. a malformed SkyEngine operation name).</exception>
    Task<TaskSnapshot> GetAsync(TaskRef task, CancellationToken cancellationToken = default);

    /// <summary>
    /// Polls the task until it reaches a final state: at once, then with growing, jittered delays. Transient
    /// failures (rate limits, server and network errors) are retried within the wait; authentication and
    /// not-found errors end it. Concurrent waits for one task in one client share a single poll loop.
    /// </summary>
    /// <param name="task">The task.</param>
    /// <param name="options">Timeout and delays; when <see langword="null"/>, the client's <see cref="AsyncTasksOptions.Wait"/>.</param>
    /// <param name="progress">Told of each snapshot that differs from the previous one.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The final snapshot: succeeded, failed, cancelled or timed out at the provider.</returns>
    /// <exception cref="TaskWaitTimeoutException">The task was not final within <see cref="WaitOptions.Timeout"/>.</exception>
    /// <exception cref="TaskClientException">A non-transient failure ended the wait.</exception>
    Task<TaskSnapshot> WaitAsync(
        TaskRef task,
        WaitOptions? options = null,
        IProgress<TaskSnapshot>? progress = null,
        CancellationToken cancellationToken = default);

    /// <summary>Polls like <see cref="WaitAsync"/> and yields the first snapshot and each one that differs from the previous, ending with the final one.</summary>
    /// <param name="task">The task.</param>
    /// <param name="options">Timeout and delays; when <see langword="null"/>, the client's <see cref="AsyncTasksOptions.Wait"/>.</param>
    /// <param name="cancellationToken">Cancels the watch.</param>
    /// <returns>The snapshots as they change.</returns>
    IAsyncEnumerable<TaskSnapshot> WatchAsync(
        TaskRef task,
        WaitOptions? options = null,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes an output to <paramref name="destination"/>: inline bytes directly, a URL by streaming it (never
    /// buffered whole) over http or https, up to <see cref="AsyncTasksOptions.MaxDownloadBytes"/>.
    /// </summary>
    /// <param name="output">The output, from a snapshot.</param>
    /// <param name="destination">Where the bytes go. It is written to, not closed.</param>
    /// <param name="cancellationToken">Cancels the download.</param>
    /// <returns>The number of bytes written.</returns>
    /// <exception cref="TaskClientException">The download failed, or the output is larger than the limit.</exception>
    /// <exception cref="NotSupportedException">The URL's scheme is not http or https (e.g. gs://).</exception>
    Task<long> DownloadAsync(TaskOutput output, Stream destination, CancellationToken cancellationToken = default);
}
