using AsyncTasks.Tests.Infrastructure.Specs;

namespace AsyncTasks.Tests.Infrastructure.Tests;

[TestFixture]
internal sealed class KnownValuesLocatorTests
{
    private static readonly string[] ExpectedLocations = ["$.data.state", "$.data.jobs[0].phase", "$.data.jobs[1].phase"];

    private const string Spec = """
        openapi: 3.0.3
        info: { title: t, version: '1' }
        paths:
          /tasks/{id}:
            get:
              operationId: GetTask
              parameters:
                - { name: id, in: path, required: true, example: abc, schema: { type: string } }
              responses:
                '200':
                  description: ok
                  content:
                    application/json:
                      schema: { $ref: '#/components/schemas/Envelope' }
                      examples:
                        one:
                          x-source: doc
                          value:
                            code: 200
                            data:
                              state: running
                              kind: video
                              jobs:
                                - phase: queued
                                - phase: done
                              extra: { phase: ignored }
        components:
          schemas:
            Envelope:
              type: object
              properties:
                code: { type: integer }
                data:
                  allOf:
                    - $ref: '#/components/schemas/Task'
                  nullable: true
            Task:
              type: object
              properties:
                state: { $ref: '#/components/schemas/State' }
                kind: { type: string }
                jobs:
                  type: array
                  items:
                    type: object
                    properties:
                      phase: { type: string, x-known-values: [queued, done] }
            State:
              type: string
              x-known-values: [running, done]
        """;

    [Test]
    public void FindsKnownValuesThroughRefsAllOfAndArrays()
    {
        // Arrange
        var spec = SpecDocument.Parse(Spec, "test.yaml");
        var example = spec.Examples.Single();

        // Act
        var locations = KnownValuesLocator.Find(spec, example.Schema, example.Value);

        // Assert
        Assert.That(
            locations.Select(l => l.ToString()),
            Is.EqualTo(ExpectedLocations));
    }

    [Test]
    public void SpecReaderExposesOperationParametersAndExamples()
    {
        // Arrange, Act
        var spec = SpecDocument.Parse(Spec, "test.yaml");

        // Assert
        var operation = spec.Operations.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(operation.OperationId, Is.EqualTo("GetTask"));
            Assert.That(operation.Method, Is.EqualTo("GET"));
            Assert.That(operation.Parameters.Single(), Is.EqualTo(new SpecParameter("id", SpecParameterLocation.Path, true, "abc", operation.Parameters[0].Schema)));
            Assert.That(operation.AuthHeaders, Is.Empty);
            Assert.That(spec.Examples.Single().Source, Is.EqualTo("doc"));
            Assert.That(spec.Examples.Single().StatusCode, Is.EqualTo(200));
            Assert.That(spec.Problems, Is.Empty);
        }
    }

    [TestCase("type: http\n      scheme: bearer", "Authorization", "Bearer k")]
    [TestCase("type: apiKey\n      in: header\n      name: Authorization", "Authorization", "k")]
    [TestCase("type: apiKey\n      in: header\n      name: x-api-key", "x-api-key", "k")]
    public void SecuritySchemesBecomeAuthHeaders(string scheme, string header, string value)
    {
        // Arrange
        var yaml = $$"""
            openapi: 3.1.0
            info: { title: t, version: '1' }
            security: [ { key: [] } ]
            paths:
              /x:
                get:
                  operationId: X
                  responses: { '204': { description: none } }
            components:
              securitySchemes:
                key:
                  {{scheme}}
            """;

        // Act
        var auth = SpecDocument.Parse(yaml, "auth.yaml").Operations.Single().AuthHeaders.Single();

        // Assert
        Assert.That((auth.HeaderName, auth.ValueFor("k")), Is.EqualTo((header, value)));
    }
}
