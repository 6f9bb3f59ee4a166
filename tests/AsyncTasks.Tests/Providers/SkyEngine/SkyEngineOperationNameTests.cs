using AsyncTasks.Providers;

namespace AsyncTasks.Tests.Providers;

/// <summary>
/// The SkyEngine adapter reads an operation name. Whatever the text, it must accept exactly the names
/// the definition accepts (ten '/'-separated segments: the five collection names in order, each followed by a
/// non-empty value without surrounding white space that is not a path step) and find the same five values.
/// </summary>
[TestFixture]
[Category("Providers")]
internal sealed class SkyEngineOperationNameTests
{
    private static readonly string[] Collections = ["projects", "locations", "publishers", "models", "operations"];

    /// <summary>Segments names are built from: valid values and every kind of near miss.</summary>
    private static readonly string[] Pieces =
    [
        "projects", "locations", "publishers", "models", "operations", "operation", "Projects",
        "p", "my-project", "us-central1", "google", "veo-3.1-generate-preview", "4f1d2a3b-0c9e", "a.b",
        "", " ", " x", "x ", ".", "..", "...", "x/y", "/", "中文",
    ];

    private static readonly string[] Values = ["p", "my-project", "us-central1", "google", "veo-3.1-generate-preview", "4f1d2a3b-0c9e"];

    /// <summary>3,000 random names, mostly valid or one piece away from it, and two written by hand.</summary>
    private static IEnumerable<string> Names()
    {
        var random = new Random(20261121);
        for (var n = 0; n < 3000; n++)
        {
            var segments = new string[random.Next(3) > 0 ? 2 * Collections.Length : random.Next(1, 13)];
            for (var i = 0; i < segments.Length; i++)
            {
                segments[i] = random.Next(8) == 0 ? Pieces[random.Next(Pieces.Length)]
                    : i % 2 == 0 && i / 2 < Collections.Length ? Collections[i / 2]
                    : Values[random.Next(Values.Length)];
            }

            yield return string.Join('/', segments);
        }

        yield return "projects/p/locations/l/publishers/google/models/m/operations/1";
        yield return "projects/a b/locations/l/publishers/g/models/m/operations/o";
    }

    [Test]
    public void AcceptsAndSplitsExactlyWhatTheDefinitionSays()
    {
        var adapter = new SkyEngineAdapter();
        var accepted = 0;
        foreach (var name in Names())
        {
            var expected = Reference(name);
            string[]? actual;
            try
            {
                var parsed = SkyEngineAdapter.ParseOperationName(name);
                actual = [parsed.Project, parsed.Location, parsed.Publisher, parsed.Model, parsed.Operation];
            }
            catch (ArgumentException)
            {
                actual = null;
            }

            Assert.That(actual, Is.EqualTo(expected), name);
            Assert.That(() => adapter.ValidateId(name), expected is null ? Throws.ArgumentException : Throws.Nothing, name);
            accepted += expected is null ? 0 : 1;
        }

        Assert.That(accepted, Is.GreaterThan(300), "the names are not all rejections");
    }

    /// <summary>The definition, written the plain way: the five values, or null when the name is not valid.</summary>
    private static string[]? Reference(string name)
    {
        var segments = name.Split('/');
        if (segments.Length != 2 * Collections.Length)
        {
            return null;
        }

        var values = new string[Collections.Length];
        for (var i = 0; i < Collections.Length; i++)
        {
            var value = segments[(2 * i) + 1];
            if (segments[2 * i] != Collections[i] || value.Length == 0 || value.Trim() != value || value is "." or "..")
            {
                return null;
            }

            values[i] = value;
        }

        return values;
    }
}
