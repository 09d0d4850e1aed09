using System.Text.Json;
using Microsoft.Extensions.Options;
using ModelActors.Host.Server;

namespace ModelActors.Host.Jobs;

/// <summary>
/// Asynchronous jobs for C# models: <c>POST /jobs/{model}</c> takes a JSON array of items and answers 202 at once
/// with the job's id; the items run in the background (batched as any request) while <c>GET /jobs/{id}</c> shows
/// progress, <c>GET /jobs/{id}/results</c> the answers so far (optionally waiting for the end), and
/// <c>DELETE /jobs/{id}</c> cancels a running job or forgets an ended one.
/// </summary>
public static class JobEndpoints
{
    /// <summary>How many items run at once: enough to fill a batch; progress grows this many at a time.</summary>
    private const int Chunk = 64;

    /// <summary>The longest <c>wait</c> a results request may ask for.</summary>
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(60);

    private static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

    /// <summary>Maps the job routes.</summary>
    /// <param name="app">The application's route builder.</param>
    /// <returns>The route builder.</returns>
    public static IEndpointRouteBuilder MapJobs(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPost("/jobs/{model}", SubmitAsync);
        app.MapGet("/jobs", (JobStore jobs) => Results.Json(new { jobs = jobs.All().Select(j => j.Summary()) }, Json));
        app.MapGet("/jobs/{id}", (string id, JobStore jobs) => jobs.Get(id) is { } job ? Results.Json(job.Summary(), Json) : NotFound(id));
        app.MapGet("/jobs/{id}/results", ResultsAsync);
        app.MapDelete("/jobs/{id}", (string id, JobStore jobs) =>
        {
            if (jobs.Get(id) is not { } job)
            {
                return NotFound(id);
            }

            if (job.Cancel("cancelled by its client"))
            {
                return Results.Json(job.Summary(), Json, statusCode: StatusCodes.Status202Accepted);
            }

            jobs.Remove(job);
            return Results.Json(new { id, removed = true }, Json);
        });
        return app;
    }

    private static async Task<IResult> SubmitAsync(string model, HttpContext context, ModelLibrary library, JobStore jobs, IOptions<ServerOptions> options, ILoggerFactory loggers)
    {
        if (ModelLookup.FindTyped(library, model, out var description) is { } refused)
        {
            return refused;
        }

        if (context.RequestServices.GetRequiredService<Server.ServerReadiness>().Stopping)
        {
            // Running jobs are cancelled when the server stops: a job accepted now would be cancelled at once.
            return HttpErrors.Error(StatusCodes.Status503ServiceUnavailable, $"The server is stopping: no new job for model '{model}' is accepted; submit it to another server.");
        }

        var limit = options.Value.MaxRequestBodySize;
        if (await RequestBodies.ReadAsync(context.Request, limit, context.RequestAborted).ConfigureAwait(false) is not { } bytes)
        {
            return RequestBodies.TooLarge(limit);
        }

        var invoker = ModelInvoker.For(description.ItemType, description.ResultType);
        object? items;
        try
        {
            items = bytes.Length == 0 ? null : JsonSerializer.Deserialize(bytes.Span, invoker.BatchType, Json);
        }
        catch (Exception exception) when (exception is JsonException or NotSupportedException)
        {
            return HttpErrors.Error(StatusCodes.Status400BadRequest, $"Model '{model}': a job takes a JSON array of {description.ItemType.Name} items; the body is not one: {exception.Message}");
        }

        var count = (items as System.Collections.ICollection)?.Count ?? 0;
        if (count == 0)
        {
            return HttpErrors.Error(StatusCodes.Status400BadRequest, $"Model '{model}': a job takes a JSON array of {description.ItemType.Name} items, and the body has none.");
        }

        if (jobs.Add(model, count) is not { } job)
        {
            return HttpErrors.Error(StatusCodes.Status429TooManyRequests, $"The server keeps {options.Value.MaxJobs} jobs (Server:MaxJobs) and all are running; try again when one has ended.");
        }

        var log = loggers.CreateLogger("ModelActors.Jobs");
        _ = Task.Run(async () =>
        {
            try
            {
                await invoker.RunJobAsync(library, model, items!, job, Chunk, Json).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                // Items fail alone (their errors are recorded); this is a failure of ours, logged, and the job ends.
                log.LogError(exception, "Job {Job} of model {Model} stopped", job.Id, model);
            }
            finally
            {
                job.End(jobs.Now);
            }
        });
        context.Response.Headers.Location = $"/jobs/{job.Id}";
        return Results.Json(job.Summary(), Json, statusCode: StatusCodes.Status202Accepted);
    }

    private static async Task<IResult> ResultsAsync(string id, double? wait, HttpContext context, JobStore jobs)
    {
        if (jobs.Get(id) is not { } job)
        {
            return NotFound(id);
        }

        if (wait is > 0 && !job.IsEnded)
        {
            var limit = TimeSpan.FromSeconds(Math.Min(wait.Value, MaxWait.TotalSeconds));
            try
            {
                await job.Ending.WaitAsync(limit, context.RequestAborted).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Not ended yet: answer what there is.
            }
        }

        return Results.Json(new { job = job.Summary(), results = job.Results().ToList() }, Json);
    }

    private static IResult NotFound(string id) => HttpErrors.Error(StatusCodes.Status404NotFound, $"No job '{id}' (ended jobs are kept for Server:JobRetention).");
}
