using System.Net.Http.Headers;
using System.Text;

namespace ModelActors.Host.Tests;

/// <summary>Thousands of malformed bodies, shapes, datatypes and headers against the inference routes: each gets a 4xx (or a result), never a 5xx.</summary>
public sealed class FuzzTests(TensorServer server) : IClassFixture<TensorServer>
{
    private const string Valid = """{"id": "f", "inputs": [{"name": "x", "shape": [2, 3], "datatype": "FP32", "data": [[1, 2, 3], [4, 5, 6]]}], "outputs": [{"name": "y"}]}""";

    private static readonly string[] Fragments =
    [
        "{", "}", "[", "]", ",", ":", "\"", "null", "true", "-1", "1e999", "NaN", "-Infinity", "\"x\"", "\"FP32\"", "\"BYTES\"", "\"shape\"",
        "\"inputs\"", "\"data\"", "[[[[", "9223372036854775808", "0.5", "\"\\u0000\"", "{\"name\": \"x\"}", "\"datatype\": 7", "\\",
    ];

    private static readonly string[] Datatypes = ["FP32", "FP64", "INT8", "UINT64", "BOOL", "BYTES", "FP16", "BF16", "fp32", "", "INT128", "STRING"];

    [Fact]
    public async Task MalformedRequests_AreNeverAnswered5xx()
    {
        await server.ModelsLoadedAsync();
        using var client = server.CreateClient();
        var random = new Random(20261201);
        var failures = new List<string>();
        for (var i = 0; i < 3000; i++)
        {
            var (route, body, contentType, headerLength) = Case(random, i);
            using var content = new ByteArrayContent(body);
            if (contentType is not null)
            {
                content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }

            using var request = new HttpRequestMessage(HttpMethod.Post, route) { Content = content };
            if (headerLength is not null)
            {
                request.Headers.TryAddWithoutValidation("Inference-Header-Content-Length", headerLength);
            }

            if (random.Next(4) == 0)
            {
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(random.Next(2) == 0 ? "text/event-stream" : "application/x-ndjson"));
            }

            using var response = await client.SendAsync(request);
            if ((int)response.StatusCode >= 500)
            {
                failures.Add($"{(int)response.StatusCode} {route} {Encoding.UTF8.GetString(body)[..Math.Min(200, body.Length)]} → {await response.Content.ReadAsStringAsync()}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(10)));
    }

    private static (string Route, byte[] Body, string? ContentType, string? HeaderLength) Case(Random random, int index)
    {
        if (index % 7 == 6)
        {
            return Binary(random);
        }

        var route = (index % 6) switch
        {
            0 or 1 or 2 => "/v2/models/linear/infer",
            3 => "/v2/models/identity/infer",
            4 => "/models/word-count/predict",
            _ => random.Next(2) == 0 ? "/models/word-count/predict-batch" : "/models/echo/stream",
        };
        var text = (index / 6 % 6) switch
        {
            5 => Escapes(random, index % 6),
            0 => Mutate(random, Valid),
            1 => Truncate(random, Valid),
            2 => Shapes(random),
            3 => Typed(random),
            _ => string.Concat(Enumerable.Range(0, random.Next(1, 12)).Select(_ => Fragments[random.Next(Fragments.Length)])),
        };
        var body = Encoding.UTF8.GetBytes(text);
        if (random.Next(20) == 0 && body.Length > 0)
        {
            body[random.Next(body.Length)] = (byte)random.Next(256); // possibly invalid UTF-8
        }

        string?[] types = [null, "application/json", "application/x-ndjson", "text/plain", "application/json; charset=latin1", "multipart/form-data"];
        return (route, body, types[random.Next(types.Length)], null);
    }

    /// <summary>The binary tensor extension: a JSON header naming binary_data_size, then random bytes; hostile shapes, sizes and header lengths.</summary>
    private static (string Route, byte[] Body, string? ContentType, string? HeaderLength) Binary(Random random)
    {
        long[] dimensions = [0, 1, 2, 3, -1, 1L << 31, 1L << 62, long.MaxValue];
        var shape = string.Join(", ", Enumerable.Range(0, random.Next(0, 4)).Select(_ => dimensions[random.Next(dimensions.Length)].ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var datatype = Datatypes[random.Next(Datatypes.Length)];
        var (route, name) = random.Next(2) == 0 ? ("/v2/models/linear/infer", "x") : ("/v2/models/identity/infer", "in_" + datatype.ToLowerInvariant());
        var binary = new byte[random.Next(4) switch { 0 => 0, 1 => 12, 2 => 24, _ => random.Next(100) }];
        random.NextBytes(binary);
        var size = random.Next(3) == 0 ? random.Next(-2, 200) : binary.Length;
        var json = Encoding.UTF8.GetBytes($$$"""{"inputs": [{"name": "{{{name}}}", "shape": [{{{shape}}}], "datatype": "{{{datatype}}}", "parameters": {"binary_data_size": {{{size}}}}}]}""");
        var headerLength = random.Next(6) switch { 0 => "-5", 1 => "abc", 2 => (json.Length + binary.Length + 10).ToString(System.Globalization.CultureInfo.InvariantCulture), _ => json.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        return (route, [.. json, .. binary], "application/octet-stream", headerLength);
    }

    private static string Mutate(Random random, string json)
    {
        var chars = json.ToCharArray();
        for (var n = random.Next(1, 4); n > 0; n--)
        {
            chars[random.Next(chars.Length)] = "{}[],:\"0123456789-.eNaIx "[random.Next(25)];
        }

        return new string(chars);
    }

    /// <summary>Invalid JSON string escapes (lone high and low surrogates, reversed pairs, short escapes) in names, BYTES data, parameters and typed bodies.</summary>
    private static string Escapes(Random random, int route)
    {
        string[] escapes = [@"\ud800", @"\udfff", @"\udc00\ud800", @"\ud800\u0041", @"\ud83d", @"a\ud800b", @"\u12", @"\x41", @"\ud800\ud800"];
        var bad = escapes[random.Next(escapes.Length)];
        if (route >= 4)
        {
            return random.Next(3) switch
            {
                0 => $"\"{bad}\"",
                1 => $"[\"ok\", \"{bad}\"]",
                _ => $"{{\"text\": \"{bad}\"}}",
            };
        }

        return random.Next(5) switch
        {
            0 => $$"""{"inputs": [{"name": "{{bad}}", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}]}""",
            1 => $$"""{"inputs": [{"name": "in_bytes", "shape": [2], "datatype": "BYTES", "data": ["ok", "{{bad}}"]}]}""",
            2 => $$"""{"id": "{{bad}}", "inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}]}""",
            3 => $$$"""{"parameters": {"{{{bad}}}": "{{{bad}}}"}, "inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3], "parameters": {"k": "{{{bad}}}"}}]}""",
            _ => $$"""{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "{{bad}}", "data": [1, 2, 3]}], "outputs": [{"name": "{{bad}}"}]}""",
        };
    }

    private static string Truncate(Random random, string json) => json[..random.Next(json.Length)];

    private static string Shapes(Random random)
    {
        var shape = string.Join(", ", Enumerable.Range(0, random.Next(0, 5)).Select(_ => random.Next(4) switch
        {
            0 => "-1",
            1 => random.NextInt64().ToString(System.Globalization.CultureInfo.InvariantCulture),
            2 => "0",
            _ => random.Next(1, 5).ToString(System.Globalization.CultureInfo.InvariantCulture),
        }));
        var data = string.Join(", ", Enumerable.Range(0, random.Next(0, 13)).Select(_ => random.Next(5) switch
        {
            0 => "\"s\"",
            1 => "true",
            2 => "[1, [2]]",
            3 => "NaN",
            _ => (random.NextDouble() * 1e6).ToString(System.Globalization.CultureInfo.InvariantCulture),
        }));
        var name = random.Next(3) == 0 ? "in_bool" : "x";
        return $$"""{"inputs": [{"name": "{{name}}", "shape": [{{shape}}], "datatype": "{{Datatypes[random.Next(Datatypes.Length)]}}", "data": [{{data}}]}]}""";
    }

    private static string Typed(Random random) => random.Next(4) switch
    {
        0 => "\"" + new string('a', random.Next(0, 100)) + "\"",
        1 => "[" + string.Join(",", Enumerable.Range(0, random.Next(0, 20)).Select(i => i % 3 == 0 ? "1" : "\"w\"")) + "]",
        2 => "{\"text\": \"a\"}",
        _ => string.Concat(Enumerable.Repeat("[", random.Next(1, 200))),
    };
}
