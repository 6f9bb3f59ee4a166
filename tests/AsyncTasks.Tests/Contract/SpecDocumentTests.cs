using AsyncTasks.Tests.Infrastructure;
using AsyncTasks.Tests.Infrastructure.Specs;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace AsyncTasks.Tests.Contract;

/// <summary>Each spec is valid OpenAPI and follows the repository's conventions for examples and parameters.</summary>
[TestFixture]
[Category("Contract")]
internal sealed class SpecDocumentTests
{
    /// <summary>
    /// SHA-256 of the literal API key one gateway page shows. The key itself is kept out of the repository: specs
    /// are checked by hashing every 32-hex-digit token they contain.
    /// </summary>
    private const string ForbiddenKeySha256 = "7506c75cd52d6455157a05a5c093857eda0ab937da09159740ef9b3c8431f8fd";

    private static readonly string[] KnownSources = ["doc", "third-party", "inferred"];

    [Test]
    public void SpecsFolderAndGeneratedProjectListTheSameSpecs()
    {
        // Arrange
        var onDisk = SpecCatalog.Specs.Select(s => s.FileName).Order(StringComparer.OrdinalIgnoreCase).ToList();
        var inProject = SpecCatalog.GeneratedClients.Keys.Order(StringComparer.OrdinalIgnoreCase).ToList();

        // Act
        var withoutClient = onDisk.Except(inProject, StringComparer.OrdinalIgnoreCase).ToList();
        var missing = inProject.Except(onDisk, StringComparer.OrdinalIgnoreCase).ToList();

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(onDisk, Is.Not.Empty, $"no specs/*.yaml under {RepositoryLayout.Root}");
            Assert.That(withoutClient, Is.Empty, "specs/*.yaml without an OpenApiSpec item in src/Generated/AsyncTasks.Generated.csproj");
            Assert.That(missing, Is.Empty, "OpenApiSpec items of src/Generated/AsyncTasks.Generated.csproj whose file is not in specs/");
        }
    }

    [TestCaseSource(typeof(SpecCases), nameof(SpecCases.SpecFiles))]
    public void SpecParsesWithMicrosoftOpenApiWithoutErrors(SpecLoadResult spec)
    {
        // Arrange
        Assert.That(spec.Document, Is.Not.Null, $"{spec.FileName} could not be read: {spec.Error}");
        var json = spec.Document!.ToJson();

        // Act
        var result = OpenApiDocument.Parse(json, OpenApiConstants.Json, new OpenApiReaderSettings());

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(
                result.Diagnostic?.Errors.Select(e => $"{e.Pointer}: {e.Message}"),
                Is.Empty,
                $"{spec.FileName} ({spec.Document.OpenApiVersion}) has OpenAPI errors");
            Assert.That(result.Document, Is.Not.Null, $"{spec.FileName} did not parse");
            Assert.That(result.Document?.Paths, Is.Not.Empty, $"{spec.FileName} has no paths");
        }
    }

    [TestCaseSource(typeof(SpecCases), nameof(SpecCases.SpecFiles))]
    public void SpecFollowsTheExampleAndParameterConventions(SpecLoadResult spec)
    {
        // Arrange
        Assert.That(spec.Document, Is.Not.Null, $"{spec.FileName} could not be read: {spec.Error}");
        var document = spec.Document!;

        // Act
        var examplesWithoutSource = document.Examples
            .Where(e => !KnownSources.Contains(e.Source))
            .Select(e => $"{e.ExampleLocation} (x-source: {e.Source ?? "missing"})")
            .ToList();
        var parametersWithoutExample = document.Operations
            .SelectMany(o => o.Parameters
                .Where(p => p.Location is SpecParameterLocation.Path or SpecParameterLocation.Query && p.Example is null)
                .Select(p => $"{o} parameter '{p.Name}' ({p.Location})"))
            .ToList();
        var operationsWithoutId = document.Operations.Where(o => string.IsNullOrWhiteSpace(o.OperationId)).Select(o => o.ToString()).ToList();

        // Assert
        using (Assert.EnterMultipleScope())
        {
            Assert.That(document.Problems, Is.Empty, $"{spec.FileName}: parts the contract tests cannot use");
            Assert.That(document.Operations, Is.Not.Empty, $"{spec.FileName} has no operations");
            Assert.That(document.Examples.ToList(), Is.Not.Empty, $"{spec.FileName} has no response examples");
            Assert.That(examplesWithoutSource, Is.Empty, $"{spec.FileName}: every response example needs x-source doc, third-party or inferred");
            Assert.That(parametersWithoutExample, Is.Empty, $"{spec.FileName}: every path and query parameter needs a parameter-level example");
            Assert.That(operationsWithoutId, Is.Empty, $"{spec.FileName}: every operation needs an operationId (it names the generated method)");
            Assert.That(ContainsForbiddenKey(document.RawText), Is.False, $"{spec.FileName} contains the seed page's literal API key");
        }
    }

    [Test]
    public void NoFileOfTheRepositoryHoldsTheSeedPagesKey()
    {
        // Every file of the working tree but build output and tools' downloads: the tracked files and any about to be.
        string[] skipped = ["bin", "obj", ".git", "node_modules", "StrykerOutput", "BenchmarkDotNet.Artifacts", "artifacts", "TestResults"];
        var files = Directory.EnumerateFiles(RepositoryLayout.Root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint })
            .Where(path => !Path.GetRelativePath(RepositoryLayout.Root, path).Split(Path.DirectorySeparatorChar).Any(part => skipped.Contains(part)))
            .ToList();

        var holding = files.Where(path => new FileInfo(path).Length < 20_000_000 && ContainsForbiddenKey(File.ReadAllText(path))).ToList();

        Assert.That(files, Has.Count.GreaterThan(100), "the whole tree is read, not only specs/");
        Assert.That(files, Has.Some.EndsWith("README.md").And.Some.EndsWith(".cs"));
        Assert.That(holding, Is.Empty, "files holding the seed page's literal API key");
    }

    [Test]
    public void ForbiddenKeyCheckRecognisesAKeyByItsHash()
    {
        // A made-up key and its SHA-256 stand in for the real one, which never appears in the tree.
        const string madeUpKeySha256 = "3eb1bd439947eb762998e566ccc2e099c791118b2f40579cc4f7da2b5061b7f9";

        Assert.That(ContainsKeyWithHash("x-api-key: 0123456789abcdef0123456789abcdef", madeUpKeySha256), Is.True);
        Assert.That(ContainsKeyWithHash("x-api-key: 0123456789ABCDEF0123456789ABCDEF", madeUpKeySha256), Is.True);
        Assert.That(ContainsKeyWithHash("x-api-key: 1123456789abcdef0123456789abcdef", madeUpKeySha256), Is.False);
    }

    private static bool ContainsForbiddenKey(string text) => ContainsKeyWithHash(text, ForbiddenKeySha256);

    private static bool ContainsKeyWithHash(string text, string sha256) =>
        System.Text.RegularExpressions.Regex.Matches(text, "[0-9a-fA-F]{32}")
            .Any(match => Convert.ToHexStringLower(
                System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(match.Value.ToLowerInvariant())))
                == sha256);
}
