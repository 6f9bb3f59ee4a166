using System.Text;
using AsyncTasks.Providers;
using Newtonsoft.Json;

namespace AsyncTasks.Tests.Providers;

/// <summary>
/// <see cref="GeneratedJson"/> keeps one serializer per settings object on each thread: whatever it has cached, a
/// body is always read with the settings it was given, also when more settings objects are in use than it caches.
/// And its text reader follows the <see cref="TextReader"/> contract for an empty destination.
/// </summary>
[TestFixture]
[Category("Providers")]
internal sealed class GeneratedJsonSettingsTests
{
    private static readonly byte[] BodyWithAnUnknownMember = Encoding.UTF8.GetBytes("""{"code":7,"unexpected":true}""");

    [Test]
    public async Task EverySettingsObjectKeepsItsOwnRulesWhenMoreAreUsedThanAreCached()
    {
        // Arrange: twelve settings objects, every other one strict about members the type does not have.
        var settings = Enumerable.Range(0, 12)
            .Select(i => new JsonSerializerSettings { MissingMemberHandling = i % 2 == 0 ? MissingMemberHandling.Error : MissingMemberHandling.Ignore })
            .ToList();

        // Act: each read completes synchronously, so all of them run on this thread and share its cache; twice, so
        // that the second round reads through whatever the first one cached.
        var outcomes = new List<string>();
        for (var round = 0; round < 2; round++)
        {
            foreach (var each in settings)
            {
                outcomes.Add(await OutcomeAsync(each));
            }
        }

        // Assert
        var expected = Enumerable.Range(0, 24)
            .Select(i => i % 2 == 0 ? "JsonSerializationException: Could not find member 'unexpected' on object of type 'Probe'. Path 'unexpected', line 1, position 23." : "7")
            .ToList();
        Assert.That(outcomes, Is.EqualTo(expected));
    }

    [Test]
    public void AnEmptyDestinationReadsNothingAndConsumesNothing()
    {
        // Arrange
        const string text = "é中😀 text";
        var bytes = new byte[GeneratedJson.FirstRead];
        var count = Encoding.UTF8.GetBytes(text, bytes);
        using var reader = new GeneratedJson.BufferedTextReader(bytes, count, null);

        // Act
        var empty = reader.Read(Span<char>.Empty);
        var emptyArray = reader.Read(new char[8], 3, 0);
        var rest = reader.ReadToEnd();

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(empty, Is.Zero);
            Assert.That(emptyArray, Is.Zero);
            Assert.That(rest, Is.EqualTo(text));
        }
    }

    private static async Task<string> OutcomeAsync(JsonSerializerSettings settings)
    {
        using var content = new ByteArrayContent(BodyWithAnUnknownMember);
        try
        {
            var probe = await GeneratedJson.ReadAsync<Probe>(content, settings, null, CancellationToken.None);
            return probe!.Code.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (JsonException exception)
        {
            return $"{exception.GetType().Name}: {exception.Message}";
        }
    }

    /// <summary>A type with one of the body's two members.</summary>
    private sealed class Probe
    {
        public int Code { get; set; }
    }
}
