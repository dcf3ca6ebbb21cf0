using NeuronHost.Sdk;

namespace NeuronHost.Runtime.Models;

/// <summary>A model session whose masked edits (the intervention hook) can run on a kernel
/// backend; the host hands it the backend the user chose.</summary>
public interface IEditBackend
{
    /// <summary>Null: the runtime's own row loop.</summary>
    IComputeKernels? EditKernels { get; set; }
}
