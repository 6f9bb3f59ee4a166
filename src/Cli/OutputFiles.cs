using System.Globalization;
using System.Text;

namespace AsyncTasks.Cli;

/// <summary>
/// Saves the outputs of a task for <c>wait --download</c>: a file per output, URL or inline bytes, named after the
/// provider's file name, else the URL's last segment, else <c>provider-task-N</c>, with an extension from the
/// name, the MIME type or the kind. Names are unique within a run, at most 255 bytes in UTF-8 (cut at a character
/// boundary, the extension kept) and always inside the folder; an existing file of the same name is replaced.
/// </summary>
internal static class OutputFiles
{
    /// <summary>The longest file name, in UTF-8 bytes, that common file systems (ext4, APFS, NTFS in UTF-16) accept.</summary>
    public const int MaxNameBytes = 255;

    private static readonly Dictionary<string, string> Extensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ["image/png"] = ".png",
        ["image/jpeg"] = ".jpg",
        ["image/jpg"] = ".jpg",
        ["image/webp"] = ".webp",
        ["image/gif"] = ".gif",
        ["image/bmp"] = ".bmp",
        ["image/avif"] = ".avif",
        ["image/heic"] = ".heic",
        ["video/mp4"] = ".mp4",
        ["video/webm"] = ".webm",
        ["video/quicktime"] = ".mov",
        ["video/x-matroska"] = ".mkv",
        ["video/mpeg"] = ".mpeg",
    };

    private static readonly HashSet<string> MediaExtensions = new(Extensions.Values, StringComparer.OrdinalIgnoreCase)
    {
        ".jpeg",
        ".m4v",
    };

    private static readonly HashSet<char> InvalidNameCharacters =
        [.. Path.GetInvalidFileNameChars(), '<', '>', ':', '"', '|', '?', '*', '/', '\\'];

    /// <summary>
    /// Saves every output of <paramref name="snapshot"/> into <paramref name="directory"/> and returns the saved
    /// paths in output order (<see langword="null"/> for an output that cannot be fetched over HTTP, e.g. gs://).
    /// Each output is written to a new temporary file (created exclusively: never an existing file or link) that is
    /// renamed when complete and removed on any failure or cancellation.
    /// </summary>
    /// <exception cref="OutputWriteException">A file could not be written (disk full, permissions).</exception>
    public static async Task<IReadOnlyList<string?>> SaveAllAsync(
        RunContext run,
        ITaskClient client,
        TaskSnapshot snapshot,
        string directory,
        CancellationToken cancellationToken)
    {
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var files = new List<string?>();
        for (var i = 0; i < snapshot.Outputs.Count; i++)
        {
            var output = snapshot.Outputs[i];
            var path = PathIn(directory, FileNameFor(output, snapshot.Task, i, used));
            var partial = PathIn(directory, $".asynctasks-{Guid.NewGuid():N}.part");
            try
            {
                long bytes;
                run.DownloadingFrom = output.Url;
                var stream = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true);
                await using (stream.ConfigureAwait(false))
                {
                    bytes = await client.DownloadAsync(output, stream, cancellationToken).ConfigureAwait(false);
                }

                File.Move(partial, path, overwrite: true);
                run.DownloadingFrom = null;
                files.Add(path);
                if (run.ShowsProgressLines)
                {
                    run.Note(string.Create(CultureInfo.InvariantCulture, $"saved output {i + 1} ({bytes} bytes) to {path}"));
                }
            }
            catch (NotSupportedException exception)
            {
                // e.g. gs:// (Vertex AI): not fetchable over HTTP; the task still succeeded.
                TryDelete(partial);
                run.DownloadingFrom = null;
                files.Add(null);
                run.Note($"asynctasks: warning: output {i + 1} ({output.Url}) was not saved: {exception.Message}");
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                TryDelete(partial);
                throw new OutputWriteException($"cannot write {path}: {exception.Message}", exception);
            }
            catch
            {
                TryDelete(partial);
                throw;
            }
        }

        return files;
    }

    /// <summary><paramref name="name"/> in <paramref name="directory"/>; refuses anything that would land elsewhere.</summary>
    private static string PathIn(string directory, string name)
    {
        var path = Path.GetFullPath(Path.Combine(directory, name));
        return string.Equals(Path.GetDirectoryName(path), Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)), StringComparison.Ordinal)
            ? path
            : throw new InvalidOperationException($"the file name '{name}' would leave the --download directory");
    }

    /// <summary>A safe, unique file name with an extension for output <paramref name="index"/> (0-based).</summary>
    public static string FileNameFor(TaskOutput output, TaskRef task, int index, ISet<string> used)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(used);
        var name = Sanitize(output.FileName)
            ?? Sanitize(output.Url is { } url && url.Segments.Length > 0 ? Uri.UnescapeDataString(url.Segments[^1]) : null)
            ?? Sanitize(string.Create(
                CultureInfo.InvariantCulture,
                $"{task.Provider.GetName()}-{task.Id.Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "task"}-{index + 1}"))
            ?? string.Create(CultureInfo.InvariantCulture, $"output-{index + 1}");

        var extension = Path.GetExtension(name);
        if (!MediaExtensions.Contains(extension))
        {
            name += ExtensionFor(output);
            extension = Path.GetExtension(name);
        }

        var stem = name[..^extension.Length];
        var candidate = Fit(stem, string.Empty, extension);
        for (var n = 2; !used.Add(candidate); n++)
        {
            candidate = Fit(stem, string.Create(CultureInfo.InvariantCulture, $"-{n}"), extension);
        }

        return candidate;
    }

    /// <summary>
    /// <paramref name="stem"/> + <paramref name="suffix"/> + <paramref name="extension"/> within <see cref="MaxNameBytes"/>
    /// UTF-8 bytes: the stem is cut at a character boundary (never inside a surrogate pair or a UTF-8 sequence).
    /// </summary>
    public static string Fit(string stem, string suffix, string extension)
    {
        ArgumentNullException.ThrowIfNull(stem);
        var room = MaxNameBytes - Encoding.UTF8.GetByteCount(suffix) - Encoding.UTF8.GetByteCount(extension);
        var length = 0;
        var bytes = 0;
        foreach (var rune in stem.EnumerateRunes())
        {
            if (bytes + rune.Utf8SequenceLength > room)
            {
                break;
            }

            bytes += rune.Utf8SequenceLength;
            length += rune.Utf16SequenceLength;
        }

        return stem[..length].TrimEnd() + suffix + extension;
    }

    /// <summary>The extension for the output's MIME type, else for its kind (.png image, .mp4 video).</summary>
    public static string ExtensionFor(TaskOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var mime = output.MimeType?.Split(';')[0].Trim();
        if (mime is not null && Extensions.TryGetValue(mime, out var extension))
        {
            return extension;
        }

        return output.Kind == TaskOutputKind.Video ? ".mp4" : ".png";
    }

    private static string? Sanitize(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        // Only the last path segment, and only characters every file system accepts.
        name = name.Replace('\\', '/');
        name = name[(name.LastIndexOf('/') + 1)..];
        var text = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            text.Append(InvalidNameCharacters.Contains(c) || char.IsControl(c) ? '_' : c);
        }

        var cleaned = text.ToString().Trim().Trim('.').Trim();
        return cleaned.Length == 0 ? null : cleaned;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // A leftover partial file is harmless.
        }
    }
}
