using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using ModelActors.Onnx;
using ModelActors.TestKit.Onnx;

namespace ModelActors.Benchmarks;

/// <summary>
/// The pieces of the HTTP benchmark (<c>http.sh</c> runs them with wrk and <c>modelactors bench</c>):
/// <c>http-setup DIR</c> writes a model repository (the MLP), a configuration serving the no-op tensor model,
/// and the request body; <c>bare-kestrel URL</c> serves the baseline: a bare minimal-API endpoint that parses the
/// same v2 JSON body (its FP32 data into a float array) and writes it back as the output, with no model behind it.
/// </summary>
internal static class HttpBenchmark
{
    public static void Setup(string directory)
    {
        var repository = Path.Combine(directory, "repo", "mlp");
        Directory.CreateDirectory(repository);
        File.WriteAllBytes(Path.Combine(repository, "model.onnx"), OnnxThroughputBenchmark.BuildMlp());
        File.WriteAllText(Path.Combine(repository, "config.json"), """{ "MaxBatchSize": 64, "MaxDelay": "00:00:00", "QueueCapacity": 4096, "Settings": { "IntraOpNumThreads": 1 } }""");
        File.WriteAllText(Path.Combine(directory, "bench.json"), """
            {
              "Logging": { "LogLevel": { "Default": "Warning", "Microsoft.Hosting.Lifetime": "Information", "ModelActors.Host": "Information" } },
              "ModelActors": { "DefaultQueueCapacity": 4096, "Models": { "noop": { "Type": "TensorEchoModel" } } }
            }
            """);
        var random = new Random(3);
        var data = string.Join(",", Enumerable.Range(0, 256).Select(_ => ((random.NextDouble() - 0.5) * 2).ToString("F6", CultureInfo.InvariantCulture)));
        File.WriteAllText(Path.Combine(directory, "body.json"), $$"""{"inputs":[{"name":"x","shape":[1,256],"datatype":"FP32","data":[{{data}}]}]}""");
    }

    public static async Task BareKestrelAsync(string url)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls(url);
        var app = builder.Build();
        app.MapPost("/v2/models/{model}/infer", async (string model, HttpContext context) =>
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            var input = document.RootElement.GetProperty("inputs")[0];
            var data = input.GetProperty("data");
            var values = new float[data.GetArrayLength()];
            var i = 0;
            foreach (var element in data.EnumerateArray())
            {
                values[i++] = element.GetSingle();
            }

            context.Response.ContentType = "application/json";
            await using var writer = new Utf8JsonWriter(context.Response.BodyWriter);
            writer.WriteStartObject();
            writer.WriteString("model_name", model);
            writer.WriteStartArray("outputs");
            writer.WriteStartObject();
            writer.WriteString("name", "x");
            writer.WriteString("datatype", "FP32");
            writer.WriteStartArray("shape");
            foreach (var dimension in input.GetProperty("shape").EnumerateArray())
            {
                writer.WriteNumberValue(dimension.GetInt64());
            }

            writer.WriteEndArray();
            writer.WriteStartArray("data");
            foreach (var value in values)
            {
                writer.WriteNumberValue(value);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
            await writer.FlushAsync(context.RequestAborted);
        });
        Console.WriteLine("bare Kestrel listening on " + url);
        await app.RunAsync();
    }
}
