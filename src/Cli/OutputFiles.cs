using System.Globalization;
using System.Text;

namespace AsyncTasks.Cli;

/// <summary>
/// Saves the outputs of a task for <c>wait --download</c>: a file per output, URL or inline bytes, named after the
/// provider's file name, else the URL's last segment, else <c>provider-task-N</c>, with an extension from the
/// name, the MIME type or the kind. Names are unique within a run; an existing file of the same name is replaced.
/// </summary>
internal static class OutputFiles
{
    private const int MaxBaseNameLength = 100;

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

    /// <summary>
    /// Saves every output of <paramref name="snapshot"/> into <paramref name="directory"/> and returns the saved
    /// paths in output order (<see langword="null"/> for an output that cannot be fetched over HTTP, e.g. gs://).
    /// </summary>
    public static async Task<IReadOnlyList<string?>> SaveAllAsync(
        RunContext run,
        ITaskClient client,
        TaskSnapshot snapshot,
        string directory)
    {
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var files = new List<string?>();
        for (var i = 0; i < snapshot.Outputs.Count; i++)
        {
            var output = snapshot.Outputs[i];
            var name = FileNameFor(output, snapshot.Task, i, used);
            var path = Path.Combine(directory, name);
            var partial = Path.Combine(directory, "." + name + ".part");
            try
            {
                long bytes;
                var stream = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 81920, useAsync: true);
                await using (stream.ConfigureAwait(false))
                {
                    bytes = await client.DownloadAsync(output, stream, run.CancellationToken).ConfigureAwait(false);
                }

                File.Move(partial, path, overwrite: true);
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
                files.Add(null);
                run.Note($"asynctasks: warning: output {i + 1} ({output.Url}) was not saved: {exception.Message}");
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                TryDelete(partial);
                throw new UsageException($"cannot write {path}: {exception.Message}");
            }
            catch
            {
                TryDelete(partial);
                throw;
            }
        }

        return files;
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
        if (stem.Length > MaxBaseNameLength)
        {
            stem = stem[..MaxBaseNameLength];
        }

        var candidate = stem + extension;
        for (var n = 2; !used.Add(candidate); n++)
        {
            candidate = string.Create(CultureInfo.InvariantCulture, $"{stem}-{n}{extension}");
        }

        return candidate;
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
        var invalid = Path.GetInvalidFileNameChars().Concat(['<', '>', ':', '"', '|', '?', '*']).ToHashSet();
        var text = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            text.Append(invalid.Contains(c) || char.IsControl(c) ? '_' : c);
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
