namespace NeuronHost.Core;
