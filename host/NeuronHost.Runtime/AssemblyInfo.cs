namespace NeuronHost.Runtime;
