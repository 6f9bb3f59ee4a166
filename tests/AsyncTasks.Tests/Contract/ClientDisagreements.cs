using AsyncTasks.Tests.Infrastructure;

namespace AsyncTasks.Tests.Contract;

/// <summary>
/// One accepted difference between the NSwag and the Kiota client: a row of the table under
/// <see cref="ClientDisagreements.Heading"/> in specs/README.md.
/// </summary>
/// <param name="SpecFile">The spec file, e.g. <c>duomi.yaml</c>.</param>
/// <param name="Example">The example name, or <c>*</c> for every example of the spec.</param>
/// <param name="Location">Where the outcomes differ, as <see cref="ClientProjection.Differences"/> names it (e.g. <c>$.body.data.code</c>).</param>
/// <param name="Reason">Why the difference is accepted.</param>
internal sealed record ClientDisagreement(string SpecFile, string Example, string Location, string Reason)
{
    /// <summary>Whether this row covers <paramref name="difference"/> ("NSwag→Kiota $.location: …") found on example <paramref name="exampleName"/>.</summary>
    public bool Covers(string exampleName, string difference) =>
        (Example == "*" || Example == exampleName)
        && difference.Split(' ', 3) is [_, var location, _]
        && location.TrimEnd(':') == Location;

    /// <inheritdoc />
    public override string ToString() => $"{SpecFile} {Example} {Location}";
}

/// <summary>The accepted differences, read from specs/README.md so the reason is written once, beside the specs.</summary>
internal static class ClientDisagreements
{
    /// <summary>The README section that lists them.</summary>
    public const string Heading = "Generated clients disagree";

    private static readonly Lazy<IReadOnlyList<ClientDisagreement>> LazyRecorded = new(Read);

    /// <summary>Every row of the section's table (<c>| spec | example | location | reason |</c>).</summary>
    public static IReadOnlyList<ClientDisagreement> Recorded => LazyRecorded.Value;

    private static List<ClientDisagreement> Read()
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryLayout.SpecsDirectory, "README.md"));
        var start = Array.FindIndex(lines, l => l.Trim() == "## " + Heading);
        if (start < 0)
        {
            throw new InvalidOperationException($"specs/README.md has no section \"## {Heading}\".");
        }

        var rows = new List<ClientDisagreement>();
        foreach (var line in lines.Skip(start + 1).TakeWhile(l => !l.StartsWith("## ", StringComparison.Ordinal)))
        {
            var cells = line.Trim().Trim('|').Split('|').Select(c => c.Trim().Trim('`')).ToArray();
            if (!line.TrimStart().StartsWith('|') || cells.Length < 4 || cells[0] == "spec" || cells[0].StartsWith("---", StringComparison.Ordinal))
            {
                continue;
            }

            rows.Add(new ClientDisagreement(cells[0], cells[1], cells[2], string.Join("|", cells[3..])));
        }

        return rows;
    }
}
