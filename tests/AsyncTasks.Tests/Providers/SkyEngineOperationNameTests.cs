using AsyncTasks.Providers;

namespace AsyncTasks.Tests.Providers;

/// <summary>
/// The SkyEngine adapter reads an operation name in one pass. Whatever the text, it must accept exactly the names
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

    private static IEnumerable<TestCaseData> Names()
    {
        var random = new Random(20261121);
        for (var n = 0; n < 3000; n++)
        {
            // Mostly ten segments, the right collection at even places and a plain value at odd ones, so that many names
            // are valid or one piece away from it.
            var segments = new string[random.Next(3) > 0 ? 2 * Collections.Length : random.Next(1, 13)];
            for (var i = 0; i < segments.Length; i++)
            {
                segments[i] = random.Next(8) == 0 ? Pieces[random.Next(Pieces.Length)]
                    : i % 2 == 0 && i / 2 < Collections.Length ? Collections[i / 2]
                    : Values[random.Next(Values.Length)];
            }

            yield return new TestCaseData(string.Join('/', segments)).SetArgDisplayNames($"#{n}");
        }

        yield return new TestCaseData("projects/p/locations/l/publishers/google/models/m/operations/1").SetArgDisplayNames("valid");
        yield return new TestCaseData("projects/a b/locations/l/publishers/g/models/m/operations/o").SetArgDisplayNames("inner space");
    }

    [Test]
    public void The_names_are_not_all_rejections() =>
        Assert.That(Names().Count(c => Reference((string)c.Arguments[0]!) is not null), Is.GreaterThan(300));

    [TestCaseSource(nameof(Names))]
    public void Accepts_and_splits_exactly_what_the_definition_says(string name)
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
        var adapter = new SkyEngineAdapter();
        if (expected is null)
        {
            Assert.That(() => adapter.ValidateId(name), Throws.ArgumentException);
        }
        else
        {
            Assert.That(() => adapter.ValidateId(name), Throws.Nothing);
        }

        if (string.IsNullOrWhiteSpace(name))
        {
            return;
        }

        // Checking a task keeps the parts on it, only when the name is valid; a second check of the same task does the same.
        var task = new TaskRef(Provider.SkyEngine, name);
        for (var check = 0; check < 2; check++)
        {
            if (expected is null)
            {
                Assert.That(() => adapter.ValidateTask(task), Throws.ArgumentException);
                Assert.That(task.ReadId, Is.Null);
            }
            else
            {
                adapter.ValidateTask(task);
                var kept = task.ReadId as SkyEngineAdapter.OperationName;
                Assert.That(kept is null ? null : new[] { kept.Project, kept.Location, kept.Publisher, kept.Model, kept.Operation }, Is.EqualTo(expected));
            }
        }
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
