namespace NeuronHost.Plugins.Interventions.Ablation;

/// <summary>What an ablated neuron is set to: zero, or its mean activation over the training
/// tokens (mean ablation keeps the layer's input distribution closer to normal).</summary>
public enum AblationValue { Zero, Mean }
