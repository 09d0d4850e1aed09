using global::Grpc.Core;
using ModelActors.Host.Grpc.Protocol;
using ModelActors.Host.Server;
using ModelActors.Host.V2;
using ModelActors.Onnx;

namespace ModelActors.Host.Grpc;

/// <summary>
/// The Open Inference Protocol's <c>GRPCInferenceService</c>: health, server and model metadata, and
/// <c>ModelInfer</c> on tensor models, with the HTTP routes' semantics (readiness, versions, the same checks
/// and messages; errors as gRPC status codes). A call is cancelled when its client cancels or its deadline passes.
/// </summary>
internal sealed class InferenceGrpcService(ModelLibrary library, ModelVersions versions, ServerReadiness readiness, Statistics.ModelStatistics statistics, Triton.ModelRepositoryService repository) : GRPCInferenceService.GRPCInferenceServiceBase
{
    /// <inheritdoc />
    public override Task<ServerLiveResponse> ServerLive(ServerLiveRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerLiveResponse { Live = true });

    /// <inheritdoc />
    public override Task<ServerReadyResponse> ServerReady(ServerReadyRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerReadyResponse { Ready = readiness.IsReady });

    /// <inheritdoc />
    public override Task<ModelReadyResponse> ModelReady(ModelReadyRequest request, ServerCallContext context)
    {
        var description = Find(request.Name, request.Version);
        return Task.FromResult(new ModelReadyResponse { Ready = description.State == ModelState.Ready && !readiness.Stopping });
    }

    /// <inheritdoc />
    public override Task<ServerMetadataResponse> ServerMetadata(ServerMetadataRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerMetadataResponse
        {
            Name = "modelactors",
            Version = typeof(ModelLibrary).Assembly.GetName().Version?.ToString() ?? string.Empty,
            Extensions = { ProtocolExtensions.Names },
        });

    /// <inheritdoc />
    public override Task<ModelMetadataResponse> ModelMetadata(ModelMetadataRequest request, ServerCallContext context)
    {
        var description = Find(request.Name, request.Version);
        var signature = library.GetTensorSignature(description.Name);
        if (ModelLookup.SignatureUnknown(description, signature) is { } unavailable)
        {
            throw GrpcErrors.Error(StatusCodes.Status503ServiceUnavailable, unavailable);
        }

        var name = versions.ServedBy(description.Name)?.Model ?? description.Name;
        var response = new ModelMetadataResponse { Name = name, Platform = signature is null ? "modelactors" : "onnxruntime_onnx" };
        response.Versions.AddRange(versions.All(name));

        if (signature is not null)
        {
            response.Inputs.AddRange(signature.Inputs.Select(Tensor));
            response.Outputs.AddRange(signature.Outputs.Select(Tensor));
        }

        return Task.FromResult(response);
    }

    /// <inheritdoc />
    public override async Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context)
    {
        var model = request.ModelName;
        var description = Find(model, request.ModelVersion);
        if (description.ItemType != typeof(OnnxTensors) || description.ResultType != typeof(OnnxTensors))
        {
            throw GrpcErrors.Error(StatusCodes.Status400BadRequest,
                $"Model '{model}' takes {description.ItemType.Name} items, not tensors: call POST /models/{model}/predict over HTTP with a JSON item.");
        }

        if (HttpErrors.FailedToLoadMessage(description) is { } failed)
        {
            throw GrpcErrors.Error(StatusCodes.Status503ServiceUnavailable, failed);
        }

        // A version other than the newest is a model of its own (name@version): requests go to it, errors name it.
        var served = description.Name;
        if (library.CheckCapacity(served) is { } overloaded)
        {
            throw GrpcErrors.For(overloaded, served, context); // before the tensors are parsed
        }

        OnnxTensors inputs;
        List<string>? outputNames;
        try
        {
            (inputs, outputNames) = GrpcTensors.Read(request, served, library.GetTensorSignature(served));
        }
        catch (InferRequestException exception)
        {
            throw GrpcErrors.Error(StatusCodes.Status400BadRequest, exception.Message);
        }

        var servedVersion = versions.Of(served); // read now: a replace may retire this generation while it answers
        OnnxTensors outputs;
        try
        {
            outputs = await library.Get<OnnxTensors, OnnxTensors>(served).PredictAsync(inputs, context.CancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            throw GrpcErrors.For(exception, served, context);
        }

        if (V2Signature.MissingOutput(served, outputNames, outputs) is { } missing)
        {
            throw GrpcErrors.Error(StatusCodes.Status400BadRequest, missing);
        }

        return GrpcTensors.Write(model, servedVersion, request.Id, outputs, outputNames);
    }

    /// <inheritdoc />
    public override Task<ModelConfigResponse> ModelConfig(ModelConfigRequest request, ServerCallContext context)
    {
        var description = Find(request.Name, request.Version);
        return Task.FromResult(new ModelConfigResponse { Config = Triton.ModelConfigReport.For(library, versions, request.Name, description) });
    }

    /// <inheritdoc />
    public override Task<ModelStatisticsResponse> ModelStatistics(ModelStatisticsRequest request, ServerCallContext context)
    {
        var (report, notFound) = Statistics.StatisticsReport.For(library, versions, statistics, request.Name, request.Version);
        return report is null ? throw GrpcErrors.Error(StatusCodes.Status404NotFound, notFound!) : Task.FromResult(report);
    }

    /// <inheritdoc />
    public override Task<RepositoryIndexResponse> RepositoryIndex(RepositoryIndexRequest request, ServerCallContext context)
    {
        var response = new RepositoryIndexResponse();
        IReadOnlyList<Triton.RepositoryIndexEntry> index;
        try
        {
            index = repository.Index(request.Ready);
        }
        catch (Triton.RepositoryGoneException exception)
        {
            throw GrpcErrors.Error(StatusCodes.Status503ServiceUnavailable, exception.Message);
        }

        response.Models.AddRange(index.Select(e => new RepositoryIndexResponse.Types.ModelIndex { Name = e.Name, Version = e.Version, State = e.State, Reason = e.Reason }));
        return Task.FromResult(response);
    }

    /// <inheritdoc />
    public override async Task<RepositoryModelLoadResponse> RepositoryModelLoad(RepositoryModelLoadRequest request, ServerCallContext context)
    {
        Triton.Config.ModelConfig? config = null;
        if (request.Parameters.Keys.FirstOrDefault(k => k.StartsWith("file:", StringComparison.Ordinal)) is { } file)
        {
            throw GrpcErrors.Error(StatusCodes.Status400BadRequest, $"failed to load '{request.ModelName}': '{file}': model files in the load request are not taken; put them in the repository.");
        }

        if (request.Parameters.TryGetValue("config", out var json))
        {
            try
            {
                config = Triton.RepositoryEndpoints.ParseConfig(request.ModelName, json.StringParam);
            }
            catch (FormatException exception)
            {
                throw GrpcErrors.Error(StatusCodes.Status400BadRequest, exception.Message);
            }
        }

        return await repository.LoadAsync(request.ModelName, config, context.CancellationToken).ConfigureAwait(false) is { } error
            ? throw GrpcErrors.Error(StatusCodes.Status400BadRequest, error)
            : new RepositoryModelLoadResponse();
    }

    /// <inheritdoc />
    public override async Task<RepositoryModelUnloadResponse> RepositoryModelUnload(RepositoryModelUnloadRequest request, ServerCallContext context)
    {
        var dependents = request.Parameters.TryGetValue("unload_dependents", out var p) && p.BoolParam;
        return await repository.UnloadAsync(request.ModelName, dependents, context.CancellationToken).ConfigureAwait(false) is { } error
            ? throw GrpcErrors.Error(StatusCodes.Status400BadRequest, error)
            : new RepositoryModelUnloadResponse();
    }

    /// <summary>The model (and version) asked for, or the NOT_FOUND error naming what exists.</summary>
    private ModelDescription Find(string model, string version) =>
        ModelLookup.Problem(library, versions, model, version, out var description) is { } problem
            ? throw GrpcErrors.Error(problem.Status, problem.Message)
            : description;

    private static ModelMetadataResponse.Types.TensorMetadata Tensor(NodeMetadata node)
    {
        var tensor = new ModelMetadataResponse.Types.TensorMetadata { Name = node.Name, Datatype = V2Datatypes.NameOf(node.ElementType) };
        tensor.Shape.AddRange(node.Dimensions);
        return tensor;
    }
}
