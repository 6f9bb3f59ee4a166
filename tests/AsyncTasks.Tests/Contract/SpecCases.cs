using AsyncTasks.Tests.Infrastructure.Specs;

namespace AsyncTasks.Tests.Contract;

/// <summary>NUnit case sources built from specs/*.yaml, so a spec or example added later is tested with no code change.</summary>
internal static class SpecCases
{
    /// <summary>One case per spec file (read or not), named after the file.</summary>
    public static IEnumerable<TestCaseData> SpecFiles() =>
        SpecCatalog.Specs.Select(spec => new TestCaseData(spec).SetArgDisplayNames(spec.FileName));

    /// <summary>One case per documented response example of every readable spec, named "file,operationId,status,example".</summary>
    public static IEnumerable<TestCaseData> ResponseExamples() =>
        SpecCatalog.Documents
            .SelectMany(spec => spec.Examples)
            .Select(example => new TestCaseData(example).SetArgDisplayNames(
                example.Operation.Spec.FileName,
                example.Operation.OperationId ?? $"{example.Operation.Method} {example.Operation.Path}",
                example.StatusKey,
                example.Name));
}
