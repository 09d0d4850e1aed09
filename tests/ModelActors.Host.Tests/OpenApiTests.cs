using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ModelActors.Host.Tests;

internal static class SchemaTypes
{
    /// <summary>A schema's type, the non-null one when it is a union such as ["string", "null"].</summary>
    public static string? TypeName(this JsonElement schema)
    {
        var type = schema.GetProperty("type");
        return type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()).First(t => t != "null") : type.GetString();
    }
}

/// <summary>The OpenAPI document and the JSON shapes of each C# model's item and result.</summary>
public sealed class OpenApiTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    [Fact]
    public async Task TheDocument_HasEachModelsTypedRoutes_WithItsItemAndResultSchemas()
    {
        using var client = factory.CreateClient();

        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var paths = document.GetProperty("paths");
        var predict = paths.GetProperty("/models/word-count/predict").GetProperty("post");
        Assert.Equal("string", Schema(document, predict.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema")).TypeName());
        Assert.Equal("integer", Schema(document, predict.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema")).TypeName());
        var batch = paths.GetProperty("/models/tokenizer/predict-batch").GetProperty("post");
        var results = Schema(document, batch.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema"));
        Assert.Equal("array", results.TypeName());
        Assert.Equal("array", Schema(document, results.GetProperty("items")).TypeName()); // string[] per item
        Assert.True(paths.TryGetProperty("/v2/models/{model}/infer", out _));
        Assert.True(predict.GetProperty("responses").TryGetProperty("429", out _));
    }

    [Fact]
    public async Task ModelMetadata_CarriesTheItemAndResultJsonSchemas()
    {
        using var client = factory.CreateClient();

        var metadata = await client.GetFromJsonAsync<JsonElement>("/v2/models/tokenizer");

        Assert.Equal("string", metadata.GetProperty("item_schema").TypeName());
        Assert.Equal("array", metadata.GetProperty("result_schema").TypeName());
        Assert.Equal("string", metadata.GetProperty("result_schema").GetProperty("items").TypeName());
        var wordCount = await client.GetFromJsonAsync<JsonElement>("/v2/models/word-count");
        Assert.Equal(JsonValueKind.String, wordCount.GetProperty("result_schema").GetProperty("type").ValueKind); // "integer", written as a number
    }

    /// <summary>The schema itself, following a <c>$ref</c> into components.</summary>
    private static JsonElement Schema(JsonElement document, JsonElement schema) =>
        schema.TryGetProperty("$ref", out var reference)
            ? document.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!.Split('/')[^1])
            : schema;
}
