using System.CommandLine;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Spectre.Console;

namespace ModelActors.Host.Cli;

/// <summary>
/// <c>modelactors predict MODEL JSON</c>: one JSON item (a C# model) or v2 request (a tensor model) to a model,
/// in-process or to a server (<c>--url</c>); prints the answer's JSON. Exit code 0 on success, 1 on an error
/// (printed to stderr, naming what was wrong).
/// </summary>
internal static class PredictCommand
{
    public static Command Create(IAnsiConsole console, TextWriter error)
    {
        var model = CliOptions.Model();
        var input = CliOptions.Input();
        var config = CliOptions.Config();
        var repository = CliOptions.ModelRepository();
        var url = CliOptions.Url();
        var command = new Command("predict", "Send one item to a model and print the result.") { model, input, config, repository, url };
        command.SetAction(async (result, ct) =>
        {
            var name = result.GetValue(model)!;
            if (await CliOptions.ReadJsonOrSayWhyAsync(result.GetValue(input)!, error, "predict", ct).ConfigureAwait(false) is not { } body)
            {
                return 1;
            }

            try
            {
                var answer = result.GetValue(url) is { } server
                    ? await PostAsync(new Uri(server), name, body, ct).ConfigureAwait(false)
                    : await InProcessAsync(CliOptions.LibraryArgs(result, config, repository), name, body, ct).ConfigureAwait(false);
                console.Profile.Out.Writer.WriteLine(Encoding.UTF8.GetString(answer));
                return 0;
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                await error.WriteLineAsync($"modelactors predict: {exception.Message}").ConfigureAwait(false);
                return 1;
            }
        });
        return command;
    }

    private static async Task<byte[]> InProcessAsync(string[] args, string model, byte[] body, CancellationToken ct)
    {
        await using var models = await InProcessModels.StartAsync(args, ct).ConfigureAwait(false);
        return await JsonModelCall.Create(models.Library, models.Versions, model, body).InvokeAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Posts to the server: a body with an <c>inputs</c> array goes to the v2 route, anything else to the typed one.</summary>
    private static async Task<byte[]> PostAsync(Uri server, string model, byte[] body, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = server };
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync(new Uri(RouteFor(model, body), UriKind.Relative), content, ct).ConfigureAwait(false);
        var answer = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{(int)response.StatusCode} {response.ReasonPhrase}: {ErrorOf(answer)}");
        }

        return answer;
    }

    /// <summary>The route a body goes to: v2 infer when it is a v2 request (an object with an <c>inputs</c> array).</summary>
    public static string RouteFor(string model, byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(V2.PythonJsonLiterals.Quote(body));
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("inputs", out var inputs) && inputs.ValueKind == JsonValueKind.Array)
            {
                return $"/v2/models/{Uri.EscapeDataString(model)}/infer";
            }
        }
        catch (JsonException)
        {
            // Not JSON: the server names what is wrong.
        }

        return $"/models/{Uri.EscapeDataString(model)}/predict";
    }

    internal static string ErrorOf(byte[] answer)
    {
        try
        {
            using var document = JsonDocument.Parse(answer);
            return document.RootElement.TryGetProperty("error", out var error) ? error.GetString() ?? string.Empty : Encoding.UTF8.GetString(answer);
        }
        catch (JsonException)
        {
            return Encoding.UTF8.GetString(answer);
        }
    }
}
